// Off the road: down while up runs, down without a journal or a state folder, a damaged instance.json,
// a read-only state folder, Ctrl-C in the first instant. Each ends with nothing of the instance left.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import { entryOf } from '../../src/engine/host-instances.js';
import { readInstance } from '../../src/engine/instances.js';
import { Journal } from '../../src/engine/journal.js';
import { lockFileOf } from '../../src/engine/lock.js';
import { openShells } from '../../src/engine/shells.js';
import { startTimeOf } from '../../src/host/processes.js';
import { instanceTag } from '../../src/providers/netns/names.js';
import { heldIdRanges, keptUserns } from '../../src/providers/netns/userns.js';
import { LAB_BIN, labCli } from '../helpers/cli.js';
import { labMounts, liveProcesses, namespacesOf } from '../helpers/host.js';
import { FIXTURES, isRoot } from '../helpers/labs.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Everything the instance could hold on the host, by its own names only (other labs run here too). */
function left(instance: string, state: string) {
  const link = `lab${instanceTag('bgp-metallb', instance)}`;
  return {
    namespaces: namespacesOf(`lab.bgp-metallb.${instance}.`).concat(
      namespacesOf(`lab.bgp-metallb.${instance}`).filter((n) => n === `lab.bgp-metallb.${instance}`),
    ),
    link: existsSync(`/sys/class/net/${link}`),
    instanceEntry: existsSync(entryOf('bgp-metallb', instance)),
    lock: existsSync(lockFileOf('bgp-metallb', instance)),
    state: existsSync(join(state, 'bgp-metallb', instance)),
    // the nodes' folders, a tmpfs each mounted on the host
    mounts: labMounts().filter((l) => l.includes(`/bgp-metallb/${instance}/`)),
    // the nodes' id ranges (/run/lab/uids) and kept user namespaces, outside the state folder
    idRanges: heldIdRanges().filter((r) => r.holder.startsWith(`lab.bgp-metallb.${instance}.`)),
    userns: keptUserns().filter((n) => n.startsWith(`lab.bgp-metallb.${instance}.`)),
  };
}
const NOTHING = {
  namespaces: [],
  link: false,
  instanceEntry: false,
  lock: false,
  state: false,
  mounts: [],
  idRanges: [],
  userns: [],
};

describe.skipIf(!isRoot)('reliability off the road', () => {
  const state = mkdtempSync(join(tmpdir(), 'lab-rel-'));
  const lab = labCli(state);
  const id = (tag: string) => `r${tag}${process.pid % 100000}`;
  afterAll(() => rmSync(state, { recursive: true, force: true }));

  /** A fresh bgp-metallb instance for the body to damage; lab down then removes it all, leaving nothing. */
  const onRunningLab = async (tag: string, body: (instance: string, dir: string) => Promise<void>) => {
    const instance = id(tag);
    expect((await lab(['up', 'bgp-metallb', '-i', instance])).exitCode).toBe(0);
    try {
      await body(instance, join(state, 'bgp-metallb', instance));
    } finally {
      expect((await lab(['down', 'bgp-metallb', '-i', instance])).exitCode).toBe(0);
    }
    expect(left(instance, state)).toEqual(NOTHING);
  };

  it('lab down of a starting instance stops its lab up (exit 8) and removes everything', async () => {
    const instance = id('c');
    const up = execa('node', [LAB_BIN, 'up', 'bgp-metallb', '-i', instance], {
      env: { LAB_STATE_DIR: state },
      reject: false,
      all: true,
    });
    // down as soon as up has created its state (0.3 s in, the ENOTEMPTY race of the report)
    for (let i = 0; i < 200 && !existsSync(join(state, 'bgp-metallb', instance, 'journal.jsonl')); i++)
      await sleep(10);
    const down = await lab(['down', 'bgp-metallb', '-i', instance]);
    const r = await up;
    expect(down.exitCode, down.all).toBe(0);
    expect(down.stdout).toMatch(/stopped lab up \(pid \d+\)/);
    expect(r.exitCode, r.all).toBe(8);
    expect(r.all).toMatch(/cancelled: lab down of bgp-metallb/);
    expect(r.all).not.toMatch(/Connection lost|ENOENT|ENOTEMPTY/);
    expect(left(instance, state)).toEqual(NOTHING);
  }, 60_000);

  it('up, check and exec refuse an instance another command holds (exit 6), naming it', async () => {
    const instance = id('b');
    expect((await lab(['up', 'bgp-metallb', '-i', instance])).exitCode).toBe(0);
    // a live process holds the instance as a lab up would (its pid and start time in the lock)
    const holder = execa('sleep', ['60']);
    const starttime = readFileSync(`/proc/${holder.pid}/stat`, 'utf8').split(') ')[1].split(' ')[19];
    writeFileSync(
      lockFileOf('bgp-metallb', instance),
      JSON.stringify({ pid: holder.pid, starttime, command: 'up', since: new Date().toISOString() }),
    );
    try {
      const second = await lab(['up', 'bgp-metallb', '-i', instance]);
      expect(second.exitCode, second.all).toBe(6);
      expect(second.all).toMatch(/busy: lab up \(pid \d+\) is working on it/);
      const check = await lab(['check', 'bgp-metallb', '-i', instance, '--json']);
      expect(check.exitCode, check.all).toBe(6);
      expect(JSON.parse(check.stdout)).toMatchObject({ ok: false, code: 'busy', exitCode: 6 });
      const exec = await lab(['exec', 'bgp-metallb', 'router', '-i', instance, '--', 'true']);
      expect(exec.exitCode, exec.all).toBe(6);
      // its owner gone, a lock is stale and taken over: the instance is usable again
      holder.kill('SIGKILL');
      await holder.catch(() => undefined);
      expect((await lab(['check', 'bgp-metallb', '-i', instance])).exitCode).toBe(0);
    } finally {
      holder.kill('SIGKILL');
      expect((await lab(['down', 'bgp-metallb', '-i', instance])).exitCode).toBe(0);
    }
    expect(left(instance, state)).toEqual(NOTHING);
  }, 90_000);

  it.each([
    ['an emptied journal', (dir: string) => writeFileSync(join(dir, 'journal.jsonl'), ''), true],
    // as rm -rf leaves it: all but the nodes' folders, which are mount points (docs/sandbox.md)
    ['a deleted state folder', (dir: string) => spawnSync('rm', ['-rf', dir]), true],
    [
      'a damaged instance.json',
      (dir: string) => writeFileSync(join(dir, 'instance.json'), '{ not json'),
      false,
    ],
  ])(
    'lab down finds the instance on the host by its names after %s',
    async (_what, damage, beyond) => {
      const instance = id('d');
      const up = await lab(['up', 'bgp-metallb', '-i', instance]);
      expect(up.exitCode, up.all).toBe(0);
      damage(join(state, 'bgp-metallb', instance));
      const down = await lab(['down', 'bgp-metallb', '-i', instance]);
      expect(down.exitCode, down.all).toBe(0);
      expect(down.stdout).toMatch(/removed in/);
      if (beyond)
        expect(down.stdout).toMatch(/beyond its journal, by name: \d+ processes, \d+ namespaces, 1 link/);
      expect(left(instance, state)).toEqual(NOTHING);
      // and its processes are gone: nothing runs in a namespace of that name
      expect(execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' })).not.toContain(
        `bgp-metallb.${instance}`,
      );
    },
    90_000,
  );

  it('a step that fails at up exits 4 naming step, node and command, leaves the lab for a look, and does not hang', async () => {
    // it once never exited: the failed run kept its SSH connections open
    const file = join(FIXTURES, 'up', 'step-fails', 'lab.yaml');
    const instance = id('f');
    const started = Date.now();
    const up = await lab(['up', file, '-i', instance], { timeout: 30_000 });
    expect(up.exitCode, up.all).toBe(4);
    expect(Date.now() - started).toBeLessThan(20_000);
    expect(up.stderr).toMatch(/step boom: on router: .*exit 3.* exited with 3/);
    expect(up.stderr).toMatch(/left running for a look/);
    const look = await lab(['exec', file, '-i', instance, 'host', '--', 'echo', 'still here']);
    expect(look.stdout.trim(), look.all).toBe('still here');
    const down = await lab(['down', file, '-i', instance]);
    expect(down.exitCode, down.all).toBe(0);
    expect(namespacesOf(`lab.step-fails.${instance}`)).toEqual([]);
  }, 60_000);

  it('lab down never touches an instance whose name only starts like it (a vs ab)', async () => {
    const short = id('p');
    const long = `${short}x`;
    expect((await lab(['up', 'bgp-metallb', '-i', long])).exitCode).toBe(0);
    try {
      const down = await lab(['down', 'bgp-metallb', '-i', short]);
      expect(down.stdout).toMatch(/nothing to remove/);
      expect(namespacesOf(`lab.bgp-metallb.${long}`).length).toBeGreaterThan(0);
      expect((await lab(['check', 'bgp-metallb', '-i', long])).exitCode).toBe(0);
    } finally {
      await lab(['down', 'bgp-metallb', '-i', long]);
    }
    expect(left(long, state)).toEqual(NOTHING);
  }, 90_000);

  it('lab check and lab status notice a broken node (holder killed, namespace deleted), naming it', async () => {
    const instance = id('h');
    expect((await lab(['up', 'bgp-metallb', '-i', instance])).exitCode).toBe(0);
    const dir = join(state, 'bgp-metallb', instance);
    try {
      // status reads the host: with the journal emptied it still sees the processes
      const journal = readFileSync(join(dir, 'journal.jsonl'), 'utf8');
      writeFileSync(join(dir, 'journal.jsonl'), '');
      const emptied = JSON.parse((await lab(['status', 'bgp-metallb', '--json'])).stdout) as {
        instance: string;
        host: { processes: number; namespaces: number };
      }[];
      const mine = emptied.find((s) => s.instance === instance)!;
      expect(mine.host.processes).toBeGreaterThan(10);
      expect(mine.host.namespaces).toBe(7); // the switch and six nodes (router, client, master, 3 workers)
      writeFileSync(join(dir, 'journal.jsonl'), journal);

      const holder = new Journal(join(dir, 'journal.jsonl'))
        .resources()
        .find((r) => r.kind === 'process' && r.node === 'worker2' && r.name === 'holder');
      process.kill((holder as { pid: number }).pid, 'SIGKILL');
      execFileSync('ip', ['netns', 'del', `lab.bgp-metallb.${instance}.worker3`]);
      const check = await lab(['check', 'bgp-metallb', '-i', instance]);
      expect(check.exitCode, check.all).toBe(5);
      expect(check.all).toMatch(/health on worker2: holder \(pid \d+\) is not running/);
      expect(check.all).toMatch(/health on worker3: its machine is gone/);
      const status = await lab(['status', 'bgp-metallb']);
      expect(status.stdout).toMatch(
        new RegExp(`instance ${instance}\\): up, .*broken: (?=.*worker2)(?=.*worker3)`),
      );
    } finally {
      copyFileSync(join(dir, 'journal.jsonl'), join(state, 'journal-h.copy'));
      expect((await lab(['down', 'bgp-metallb', '-i', instance])).exitCode).toBe(0);
    }
    expect(left(instance, state)).toEqual(NOTHING);
    // the processes of the node whose namespace was deleted are gone too (found through the journal)
    expect(liveProcesses(join(state, 'journal-h.copy'))).toEqual([]);
  }, 90_000);

  it('faults of a running lab: a stopped daemon, a stopped sshd, a veth deleted, an interface down; each named, every --json one document', async () => {
    const instance = id('s');
    expect((await lab(['up', 'bgp-metallb', '-i', instance])).exitCode).toBe(0);
    const dir = join(state, 'bgp-metallb', instance);
    const pidOf = (node: string, name: string) =>
      (
        new Journal(join(dir, 'journal.jsonl'))
          .resources()
          .find((r) => r.kind === 'process' && r.node === node && r.name === name) as { pid: number }
      ).pid;
    const stopped = [pidOf('worker1', 'bird'), pidOf('worker2', 'sshd')];
    copyFileSync(join(dir, 'journal.jsonl'), join(state, 'journal-s.copy'));
    try {
      // alive but answering nothing: `is not running` was never said, and every check still passed
      for (const pid of stopped) process.kill(pid, 'SIGSTOP');
      execFileSync('ip', ['-n', `lab.bgp-metallb.${instance}.worker3`, 'link', 'set', 'eth0', 'down']);
      execFileSync('ip', ['-n', `lab.bgp-metallb.${instance}`, 'link', 'del', 'n0e0']); // router's eth0
      const check = await lab(['check', 'bgp-metallb', '-i', instance, '--json']);
      expect(check.exitCode, check.all).toBe(5);
      // one document (the results array and the refusal were two)
      const refusal = JSON.parse(check.stdout);
      expect(refusal).toMatchObject({ ok: false, code: 'check', exitCode: 5 });
      const health = refusal.results.filter((r: { check: string }) => r.check === 'health');
      expect(health.map((h: { node: string; reason: string }) => `${h.node}: ${h.reason}`).sort()).toEqual([
        expect.stringMatching(/^router: interface eth0 is gone/),
        expect.stringMatching(/^worker1: bird \(pid \d+\) is stopped \(SIGSTOP\)/),
        expect.stringMatching(/^worker2: sshd \(pid \d+\) is stopped \(SIGSTOP\)/),
        expect.stringMatching(/^worker3: interface eth0 is down/),
      ]);
      // lab status shows how that check went (it showed up's "6 passed")
      const status = JSON.parse((await lab(['status', 'bgp-metallb', '--json'])).stdout).find(
        (x: { instance: string }) => x.instance === instance,
      );
      expect(status.steps.checks.failed).toBeGreaterThan(0);
      expect(status.host.problems).toHaveLength(2); // the stopped daemons (links are lab check's)
      // a node that does not answer: exit 5 naming it and why (it crashed on ssh2's second error)
      const exec = await lab(['exec', 'bgp-metallb', 'worker2', '-i', instance, '--', 'true']);
      expect(exec.exitCode, exec.all).toBe(5);
      expect(exec.stderr).toMatch(/worker2 of bgp-metallb .* does not answer over SSH/);
      expect(exec.stderr).toMatch(/health on worker2: sshd \(pid \d+\) is stopped/);
      expect(exec.stderr).not.toMatch(/Unhandled|at /);
    } finally {
      const down = await lab(['down', 'bgp-metallb', '-i', instance, '--json']);
      expect(down.exitCode, down.all).toBe(0);
      expect(JSON.parse(down.stdout)).toMatchObject({ ok: true, instance, removed: true });
    }
    expect(left(instance, state)).toEqual(NOTHING);
    // the stopped processes went with the rest (SIGKILL reaches a stopped process)
    expect(liveProcesses(join(state, 'journal-s.copy'))).toEqual([]);
    const gc = await lab(['gc', '--dry-run', '--json']);
    expect(gc.exitCode, gc.all).toBe(0);
    expect(JSON.parse(gc.stdout)).toMatchObject({ ok: true, dryRun: true });
  }, 90_000);

  it('lab down with its state folder read-only removes the whole lab from the host, then exits 3 naming the folder', async () => {
    const instance = id('w');
    expect((await lab(['up', 'bgp-metallb', '-i', instance])).exitCode).toBe(0);
    const dir = join(state, 'bgp-metallb', instance);
    copyFileSync(join(dir, 'journal.jsonl'), join(state, 'journal-w.copy'));
    execFileSync('mount', ['--bind', dir, dir]);
    execFileSync('mount', ['-o', 'remount,ro,bind', dir]);
    try {
      // it said `ENOTDIR: not a directory, scandir …/events.jsonl`, exit 1, and left the instance-list entry
      const down = await lab(['down', 'bgp-metallb', '-i', instance, '--json']);
      expect(down.exitCode, down.all).toBe(3);
      expect(JSON.parse(down.stdout)).toMatchObject({
        ok: false,
        code: 'state-unwritable',
        message: expect.stringMatching(/state folder .* read-only file system/),
      });
      // the folder stays, and with it the nodes' folders mounted in it (hidden under the read-only
      // bind, out of reach until it goes): the next lab down removes them with it
      const rest = left(instance, state);
      expect({ ...rest, mounts: [] }).toEqual({ ...NOTHING, state: true });
      expect(rest.mounts.filter((m) => !m.includes(`${dir}/nodes/`))).toEqual([]);
      expect(liveProcesses(join(state, 'journal-w.copy'))).toEqual([]);
    } finally {
      execFileSync('umount', [dir]);
    }
    const again = await lab(['down', 'bgp-metallb', '-i', instance]);
    expect(again.exitCode, again.all).toBe(0);
    expect(left(instance, state)).toEqual(NOTHING);
  }, 60_000);

  it('a missing or damaged SSH key or nodes.json is said as such by check and exec (exit 5), and down still removes all', async () => {
    await onRunningLab('k', async (instance, dir) => {
      const ssh = join(dir, 'ssh');
      // it said `All configured authentication methods failed` on every check, or a JSON stack (exit 1)
      rmSync(join(ssh, 'id_ed25519'));
      const check = await lab(['check', 'bgp-metallb', '-i', instance, '--json']);
      expect(check.exitCode, check.all).toBe(5);
      expect(JSON.parse(check.stdout)).toMatchObject({
        code: 'state-damaged',
        message: expect.stringMatching(/cannot reach its nodes: its SSH key .*id_ed25519 is missing/),
      });
      writeFileSync(join(ssh, 'nodes.json'), '{');
      const exec = await lab(['exec', 'bgp-metallb', 'router', '-i', instance, '--', 'true']);
      expect(exec.exitCode, exec.all).toBe(5);
      expect(exec.stderr).toMatch(/nodes\.json is damaged/);
    });
  }, 60_000);

  it('a lab down that removed the link before a command reached the nodes is said as that down (exit 6), not as an address routed elsewhere', async () => {
    await onRunningLab('l', async (instance, dir) => {
      const record = readInstance(dir)!;
      // a down removes the instance's root link first; the command read the record before the down began
      execFileSync('ip', ['link', 'del', `lab${instanceTag('bgp-metallb', instance)}`]);
      const before = process.env.LAB_STATE_DIR;
      process.env.LAB_STATE_DIR = state;
      const holder = spawn('sleep', ['30']);
      try {
        // no down holds it: the route guard's own answer (exit 3)
        await expect(openShells(record)).rejects.toMatchObject({ exitCode: 3 });
        writeFileSync(
          lockFileOf('bgp-metallb', instance),
          JSON.stringify({
            pid: holder.pid,
            starttime: startTimeOf(holder.pid!),
            command: 'down',
            since: new Date().toISOString(),
          }),
        );
        await expect(openShells(record)).rejects.toMatchObject({
          exitCode: 6,
          message: expect.stringMatching(/lab down \(pid \d+\) is working on it/),
        });
      } finally {
        holder.kill();
        rmSync(lockFileOf('bgp-metallb', instance), { force: true });
        if (before === undefined) delete process.env.LAB_STATE_DIR;
        else process.env.LAB_STATE_DIR = before;
      }
    });
  }, 60_000);

  it('two lab downs at once both succeed (the second waits for the first), and a check meanwhile answers in one JSON document', async () => {
    const instance = id('t');
    expect((await lab(['up', 'bgp-metallb', '-i', instance])).exitCode).toBe(0);
    // the second down cancelled the first, which exited 8 ("cancelled: lab down is removing this instance")
    const downs = [
      lab(['down', 'bgp-metallb', '-i', instance]),
      lab(['down', 'bgp-metallb', '-i', instance]),
    ];
    await sleep(100);
    const check = await lab(['check', 'bgp-metallb', '-i', instance, '--json']);
    const [a, b] = await Promise.all(downs);
    expect([a.exitCode, b.exitCode], a.all + b.all).toEqual([0, 0]);
    expect(a.all + b.all).not.toMatch(/cancelled/);
    // busy (a down holds it), not up (gone), or cancelled (a down came while its checks ran)
    expect([6, 7, 8], check.all).toContain(check.exitCode);
    expect(JSON.parse(check.stdout)).toMatchObject({ ok: false, exitCode: check.exitCode });
    expect(left(instance, state)).toEqual(NOTHING);
  }, 60_000);

  it('lab gc leaves a running lab alone when its journal is emptied or its instance.json damaged', async () => {
    await onRunningLab('g', async (instance, dir) => {
      for (const damage of [
        () => writeFileSync(join(dir, 'journal.jsonl'), ''),
        () => writeFileSync(join(dir, 'instance.json'), '{'),
      ]) {
        damage();
        // it listed the lab's 7 namespaces and its link as orphans, and removed them without --dry-run
        const gc = await lab(['gc', '--dry-run', '--json']);
        expect(gc.exitCode, gc.all).toBe(0);
        const names = JSON.parse(gc.stdout).orphans.map((o: { name: string }) => o.name);
        expect(
          names.filter(
            (n: string) => n.includes(instance) || n === `lab${instanceTag('bgp-metallb', instance)}`,
          ),
        ).toEqual([]);
      }
      // check said "is not up" of a lab whose 28 processes ran
      const check = await lab(['check', 'bgp-metallb', '-i', instance]);
      expect(check.exitCode, check.all).toBe(7);
      expect(check.stderr).toMatch(/cannot be used: .*instance\.json is damaged/);
    });
  }, 60_000);

  it('lab up of a running lab whose instance.json was removed refuses (exit 6) and leaves it whole', async () => {
    await onRunningLab('j', async (instance, dir) => {
      rmSync(join(dir, 'instance.json'));
      const check = await lab(['check', 'bgp-metallb', '-i', instance]);
      expect(check.exitCode, check.all).toBe(7);
      expect(check.stderr).toMatch(/cannot be used: .*instance\.json is missing/);
      // it wiped the folder (journal included), then failed halfway: 'Cannot create namespace file … File exists', exit 4
      const up = await lab(['up', 'bgp-metallb', '-i', instance]);
      expect(up.exitCode, up.all).toBe(6);
      expect(up.stderr).toMatch(/is already on this host: .*namespace lab\.bgp-metallb\./);
      expect(existsSync(join(dir, 'journal.jsonl'))).toBe(true);
      expect(namespacesOf(`lab.bgp-metallb.${instance}.`)).toHaveLength(6);
    });
  }, 60_000);

  it('a state folder on a full disk, before or while lab up writes it: exit 3 naming it, nothing left', async () => {
    const small = join(state, 'small');
    mkdirSync(small);
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=8m', 'lab-test-full', small]);
    try {
      // full: it said `ENOSPC: no space left on device, write`, exit 1, and left a folder.
      // a few KB free: the journal's first lines fit and what follows does not (once, with the nodes'
      // files on this disk, the boot's fstab write threw out of a setImmediate, exit 1, 7 namespaces
      // left; the nodes' folders are a tmpfs of their own now, and lab up needs ~50 KB here)
      // 4: instance.json fits, the event log does not; 8: the journal's first page fits, the namespaces' records
      // (after their id ranges are taken) do not
      for (const freeKb of [0, 4, 8, 16]) {
        rmSync(join(small, 'fill'), { force: true });
        execFileSync(
          'dd',
          ['if=/dev/zero', `of=${join(small, 'fill')}`, 'bs=1k', `count=${8 * 1024 - freeKb}`],
          {
            stdio: 'ignore',
          },
        );
        const instance = id(`z${freeKb}`);
        const r = await execa('node', [LAB_BIN, 'up', 'bgp-metallb', '-i', instance], {
          env: { LAB_STATE_DIR: join(small, 'state') },
          reject: false,
        });
        expect(r.exitCode, r.stderr).toBe(3);
        expect(r.stderr).toMatch(/cannot write the state folder .*: it is on a full disk/);
        expect(left(instance, join(small, 'state'))).toEqual(NOTHING);
      }
    } finally {
      execFileSync('umount', [small]);
    }
  }, 60_000);

  it('lab check during which lab down removes the lab exits 8 (cancelled), not 5 over a lab that is gone', async () => {
    const instance = id('q');
    expect((await lab(['up', 'bgp-metallb', '-i', instance])).exitCode).toBe(0);
    const bird = new Journal(join(state, 'bgp-metallb', instance, 'journal.jsonl'))
      .resources()
      .find((r) => r.kind === 'process' && r.node === 'router' && r.name === 'bird') as { pid: number };
    process.kill(bird.pid, 'SIGSTOP'); // birdc waits: the check is still running when down comes
    const check = lab(['check', 'bgp-metallb', '-i', instance, '--json']);
    await sleep(1500);
    const down = await lab(['down', 'bgp-metallb', '-i', instance]);
    expect(down.exitCode, down.all).toBe(0);
    const r = await check;
    expect(r.exitCode, r.all).toBe(8);
    expect(JSON.parse(r.stdout)).toMatchObject({
      code: 'cancelled',
      message: expect.stringMatching(/lab down .*removed/),
    });
    expect(left(instance, state)).toEqual(NOTHING);
  }, 60_000);

  it('lab down of an instance whose lab up is stopped (Ctrl-Z) cancels it at once, not after 30 s', async () => {
    const instance = id('u');
    const up = execa('node', [LAB_BIN, 'up', 'bgp-metallb', '-i', instance], {
      env: { LAB_STATE_DIR: state },
      reject: false,
      all: true,
    });
    // until up has begun (its journal): a busy host (the suite runs files side by side) can take
    // seconds to start it, and an up stopped before it holds the instance is one down cannot see
    for (let i = 0; i < 3000 && !existsSync(join(state, 'bgp-metallb', instance, 'journal.jsonl')); i++)
      await sleep(10);
    up.kill('SIGSTOP');
    const started = Date.now();
    const down = await lab(['down', 'bgp-metallb', '-i', instance]);
    expect(down.exitCode, down.all).toBe(0);
    expect(Date.now() - started).toBeLessThan(15_000);
    expect((await up).exitCode).toBe(8);
    expect(left(instance, state)).toEqual(NOTHING);
  }, 60_000);

  it('a read-only state folder is said as such, exit 3, nothing created', async () => {
    const ro = join(state, 'ro');
    mkdirSync(ro);
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'ro,size=64k', 'lab-test-ro', ro]);
    try {
      const r = await execa('node', [LAB_BIN, 'up', 'bgp-metallb', '-i', id('r')], {
        env: { LAB_STATE_DIR: join(ro, 'state') },
        reject: false,
      });
      expect(r.exitCode, r.stderr).toBe(3);
      expect(r.stderr).toMatch(/cannot write the state folder .* read-only file system/);
      expect(r.stderr).not.toMatch(/ENOENT/);
      expect(left(id('r'), join(ro, 'state'))).toEqual(NOTHING);
    } finally {
      execFileSync('umount', [ro]);
    }
  });

  it('Ctrl-C in the first instant of lab up answers with 130 and a sentence', async () => {
    const instance = id('i');
    const up = execa('node', [LAB_BIN, 'up', 'bgp-metallb', '-i', instance], {
      env: { LAB_STATE_DIR: state },
      reject: false,
      all: true,
    });
    // the signal goes the moment lab's first module has caught signals (its SigCgt mask has SIGUSR2,
    // which node itself leaves alone, unlike SIGINT): node is up, lab's modules (commander, zod, the
    // engine) are still loading, the up command's handler is not there yet
    const labCatches = () => {
      try {
        const mask = /^SigCgt:\s*([0-9a-f]+)$/m.exec(readFileSync(`/proc/${up.pid}/status`, 'utf8'))?.[1];
        return mask !== undefined && (BigInt(`0x${mask}`) & (1n << 11n)) !== 0n; // bit 11: signal 12
      } catch {
        return false;
      }
    };
    for (let i = 0; i < 2000 && !labCatches(); i++) await sleep(2);
    expect(labCatches(), 'lab up never caught its signals').toBe(true);
    up.kill('SIGINT');
    const r = await up;
    expect(r.exitCode, r.all).toBe(130);
    // the early handler's sentence alone: the up command had neither begun (no progress, nothing to
    // remove) nor was node without a handler (killed by the signal, no exit code)
    expect(r.all.trim()).toBe('lab: interrupted (SIGINT)');
    expect(left(instance, state)).toEqual(NOTHING);
  });
});
