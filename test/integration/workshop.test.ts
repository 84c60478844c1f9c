// A workshop on one host, for real, as root: lab up --instances N brings up N isolated instances, each
// attendee's OpenSSH config and key reach only their own nodes (real OpenSSH), a shell on one
// attendee's node reads nothing of another's, a failing attendee is reported as such beside the
// others, bad counts are refused creating nothing, and lab down --instances N leaves nothing.
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Journal } from '../../src/engine/journal.js';
import { isAlive } from '../../src/host/processes.js';
import { PROJECT_DIR } from '../../src/paths.js';
import { LAB_BIN } from '../helpers/cli.js';
import { leftovers, namespacesOf } from '../helpers/host.js';
import { isRoot } from '../helpers/labs.js';

const prefix = `wt${process.pid % 100000}`;
const names = [`${prefix}-1`, `${prefix}-2`];

describe.skipIf(!isRoot)('a workshop: lab up --instances N', () => {
  const state = mkdtempSync(join(tmpdir(), 'lab-workshop-'));
  // locks of our own: the failure case holds one attendee's lock as another lab command would
  const locks = mkdtempSync(join(tmpdir(), 'lab-workshop-locks-'));
  const lab = (args: string[]) =>
    execa('node', [LAB_BIN, ...args], {
      reject: false,
      all: true,
      env: { LAB_STATE_DIR: state, LAB_LOCK_DIR: locks },
      timeout: 180_000,
    });
  const dirOf = (instance: string) => join(state, 'bgp-metallb', instance);
  const sshDir = (instance: string) => join(dirOf(instance), 'ssh');
  const nodeAddress = (instance: string, node: string) =>
    (
      JSON.parse(readFileSync(join(sshDir(instance), 'nodes.json'), 'utf8')) as {
        node: string;
        host: string;
      }[]
    ).find((t) => t.node === node)!.host;
  // what our instances hold on the host, by their own names only (other labs run beside)
  const ours = () => ({
    // leftovers() counts an instance's namespaces, its root link and mounts of its folders
    ...Object.fromEntries(
      (['namespaces', 'links', 'mounts'] as const).map((k) => [
        k,
        names.flatMap((n) => leftovers(`lab.bgp-metallb.${n}.`)[k]),
      ]),
    ),
    folders: names.filter((n) => existsSync(dirOf(n))),
    locks: readdirSync(locks),
  });
  const pids: { pid: number; starttime?: string }[] = [];
  let up: Awaited<ReturnType<typeof lab>>;

  beforeAll(async () => {
    up = await lab(['up', 'bgp-metallb', '--instances', '2', '--prefix', prefix, '--set', 'workers=1']);
    for (const n of names)
      if (existsSync(join(dirOf(n), 'journal.jsonl')))
        pids.push(
          ...new Journal(join(dirOf(n), 'journal.jsonl'))
            .resources()
            .flatMap((r) => (r.kind === 'process' && r.pid ? [{ pid: r.pid, starttime: r.starttime }] : [])),
        );
  }, 180_000);

  afterAll(async () => {
    await lab(['down', 'bgp-metallb', '--instances', '3', '--prefix', prefix]);
    rmSync(state, { recursive: true, force: true });
    rmSync(locks, { recursive: true, force: true });
  }, 120_000);

  it("brings every attendee's instance up, proven, and prints each one's folder", () => {
    expect(up.exitCode, up.all).toBe(0);
    expect(up.stdout).toMatch(/2 of 2 attendees' instances up and proven in/);
    for (const n of names) {
      expect(up.stdout).toMatch(new RegExp(`${n} +up and proven at`));
      expect(up.stdout).toContain(sshDir(n));
      expect(readFileSync(join(sshDir(n), 'id_ed25519'), 'utf8')).toMatch(/BEGIN OPENSSH PRIVATE KEY/);
    }
    expect(up.stdout).toContain(`lab down bgp-metallb --instances 2 --prefix ${prefix}`);
    // two keys, two management networks
    const [a, b] = names.map((n) => readFileSync(join(sshDir(n), 'id_ed25519'), 'utf8'));
    expect(a).not.toBe(b);
    expect(nodeAddress(names[0], 'router')).not.toBe(nodeAddress(names[1], 'router'));
  });

  // plain OpenSSH, as an attendee runs it: ssh -F their config, their key
  const ssh = (instance: string, args: string[], command: string) =>
    execa(
      'ssh',
      [
        '-F',
        join(sshDir(instance), 'config'),
        '-o',
        'BatchMode=yes',
        '-o',
        'ConnectTimeout=10',
        ...args,
        command,
      ],
      { reject: false, timeout: 30_000 },
    );

  it("an attendee's key reaches their own nodes and is refused by every other attendee's", async () => {
    const own = await ssh(names[0], ['router'], 'hostname');
    expect(own.exitCode, own.stderr).toBe(0);
    expect(own.stdout.trim()).toBe('router');
    // attendee 1's config and key, pointed at attendee 2's router (whose host key attendee 2's
    // known_hosts pins, so that only the user key can make it fail)
    const at2 = [
      '-o',
      `HostName=${nodeAddress(names[1], 'router')}`,
      '-o',
      `UserKnownHostsFile=${join(sshDir(names[1]), 'known_hosts')}`,
    ];
    const cross = await ssh(
      names[0],
      [...at2, '-i', join(sshDir(names[0]), 'id_ed25519'), 'router'],
      'hostname',
    );
    expect(cross.exitCode).toBe(255);
    expect(cross.stderr).toMatch(/Permission denied \(publickey\)/);
    // the same way in with attendee 2's own config works: the refusal is the key's
    const theirs = await ssh(names[1], [...at2, 'router'], 'hostname');
    expect(theirs.exitCode, theirs.stderr).toBe(0);
    expect(theirs.stdout.trim()).toBe('router');
    // and the other way round
    const back = await ssh(
      names[1],
      [
        '-o',
        `HostName=${nodeAddress(names[0], 'client')}`,
        '-o',
        `UserKnownHostsFile=${join(sshDir(names[0]), 'known_hosts')}`,
        'client',
      ],
      'hostname',
    );
    expect(back.exitCode).toBe(255);
    expect(back.stderr).toMatch(/Permission denied \(publickey\)/);
  });

  it("from a shell on attendee 1's node, attendee 2's key and state are unreadable and the host is not writable", async () => {
    const other = dirOf(names[1]);
    expect(existsSync(join(other, 'ssh', 'id_ed25519')), 'the key exists on the host').toBe(true);
    const r = await ssh(
      names[0],
      ['worker1'],
      [
        `cat ${other}/ssh/id_ed25519 ${other}/ssh/config ${other}/journal.jsonl 2>&1 | grep -c 'PRIVATE KEY\\|HostName\\|"kind"'`,
        `echo files:$(ls -A ${state} | wc -l)`,
        `[ -e ${other} ] && echo attendee-2-visible`,
        `touch ${PROJECT_DIR}/workshop-escape /usr/workshop-escape ${other}/escape 2>&1`,
        'true',
      ].join('; '),
    );
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^0\n/); // no line of the key, the config or the journal
    expect(r.stdout).toMatch(/^files:0$/m); // the state folder is an empty cover
    expect(r.stdout).toMatch(
      /workshop-escape': Read-only file system[\s\S]*workshop-escape': Read-only file system/,
    );
    expect(r.stdout).not.toMatch(/PRIVATE KEY|attendee-2-visible/);
    expect(existsSync(join(PROJECT_DIR, 'workshop-escape'))).toBe(false);
    expect(existsSync(join(other, 'escape'))).toBe(false);
  });

  // it once could: a node shared the host's PID namespace, and /proc/PID/root of a host process
  // opened the host's file system, every state folder included. Each node has its own PID namespace
  // and /proc now: no host process is there to go through.
  it("from attendee 1's node, no /proc/PID/root reaches attendee 2's key: the node sees its own processes only", async () => {
    const key = join(sshDir(names[1]), 'id_ed25519');
    const r = await ssh(
      names[0],
      ['router'],
      `for p in /proc/[0-9]*; do cat "$p/root${key}" 2>/dev/null && break; done; ls -d /proc/[0-9]* | wc -l; test -e /proc/${process.pid} && echo host-pid-visible; true`,
    );
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).not.toMatch(/PRIVATE KEY|host-pid-visible/);
    // the holder, sshd and its session, BIRD: a handful, where the host has hundreds
    expect(Number(r.stdout.trim().split('\n')[0])).toBeLessThan(20);
  });

  it("lab status shows each attendee's steps and checks, --brief one line each", async () => {
    const r = await lab(['status', 'bgp-metallb', '--json']);
    const list = JSON.parse(r.stdout) as { instance: string; status: string; steps: { done: string[] } }[];
    for (const n of names) {
      const s = list.find((x) => x.instance === n);
      expect(s?.status).toBe('up');
      expect(s?.steps.done).toEqual(['router', 'client', 'metallb', 'service']);
    }
    // one line each, in name order
    const brief = (await lab(['status', 'bgp-metallb', '--brief'])).stdout
      .split('\n')
      .filter((l) => l.includes(`/${prefix}-`));
    expect(brief).toHaveLength(2);
    brief.forEach((l, i) => {
      expect(l).toMatch(
        new RegExp(`^bgp-metallb/${names[i]} +up +steps 4/4 done +checks 6 ok 0 failed +healthy$`),
      );
    });
  });

  it('refuses a bad count or one the host cannot hold, with exit 2 or 3, creating nothing', async () => {
    const before = readdirSync(join(state, 'bgp-metallb')).sort();
    for (const n of ['0', '-1', '1.5', 'two', ''])
      await expect(
        lab(['up', 'bgp-metallb', `--instances=${n}`, '--prefix', `${prefix}x`]),
      ).resolves.toMatchObject({
        exitCode: 2,
        stderr: expect.stringMatching(/--instances .*give a whole number of attendees, 1 or more/),
      });
    const huge = await lab(['up', 'bgp-metallb', '--instances', '1000', '--prefix', `${prefix}x`]);
    expect(huge.exitCode, huge.all).toBe(3);
    // memory (the lab's requirements times N) or management networks, whichever this host runs out of
    expect(huge.stderr).toMatch(
      /1000 instances of bgp-metallb need .*(MB of memory|management networks).*\(nothing was created\)/,
    );
    const beyond = await lab(['up', 'bgp-metallb', '--instances', '1001', '--prefix', `${prefix}x`]);
    expect(beyond.exitCode).toBe(2);
    // a count whose last name would not fit an instance name
    const long = await lab(['up', 'bgp-metallb', '--instances', '2', '--prefix', 'a-very-long-prefix']);
    expect(long.exitCode).toBe(2);
    // the attendees that exist already: refused before anything else is made
    const again = await lab([
      'up',
      'bgp-metallb',
      '--instances',
      '3',
      '--prefix',
      prefix,
      '--set',
      'workers=1',
    ]);
    expect(again.exitCode, again.all).toBe(6);
    expect(again.stderr).toMatch(/2 of the 3 attendees' instances exist already/);
    // up and owned by no dead run: not called a crash's leftover
    expect(again.stderr).not.toMatch(/left over/);
    expect(readdirSync(join(state, 'bgp-metallb')).sort()).toEqual(before);
    expect(namespacesOf(`lab.bgp-metallb.${prefix}x`)).toEqual([]);
    expect(namespacesOf(`lab.bgp-metallb.${prefix}-3`)).toEqual([]);
  });

  it("reports a failing attendee beside the others, and exits with that attendee's failure", async () => {
    // attendee 3 of a second workshop is held by another lab command (its lock, owned by this live
    // test process): its up is refused, attendees 1 and 2 come up
    const p = `${prefix}f`;
    mkdirSync(locks, { recursive: true });
    writeFileSync(
      join(locks, `bgp-metallb.${p}-2.lock`),
      JSON.stringify({ pid: process.pid, command: 'exec', since: new Date().toISOString() }),
    );
    try {
      const r = await lab(['up', 'bgp-metallb', '--instances', '3', '--prefix', p, '--set', 'workers=1']);
      expect(r.exitCode, r.all).toBe(6);
      expect(r.stdout).toMatch(new RegExp(`${p}-1 +up and proven at`));
      expect(r.stdout).toMatch(new RegExp(`${p}-3 +up and proven at`));
      expect(r.stdout).toMatch(new RegExp(`${p}-2 +FAILED \\(exit 6\\) at [\\d.]+ s: .*is busy: lab exec`));
      expect(r.stdout).toMatch(/2 of 3 attendees' instances up and proven/);
      expect(r.stderr).toMatch(new RegExp(`1 of 3 attendees' instances of bgp-metallb failed: ${p}-2`));
    } finally {
      rmSync(join(locks, `bgp-metallb.${p}-2.lock`), { force: true });
      const down = await lab(['down', 'bgp-metallb', '--instances', '3', '--prefix', p]);
      expect(down.exitCode, down.all).toBe(0);
      expect(down.stdout).toMatch(/2 of 3 attendees' instances .* removed in .*; 1 was not up/);
    }
  }, 180_000);

  it('Ctrl-C removes every instance the run created, proven ones too, and exits 130', async () => {
    const p = `${prefix}i`;
    const run = execa(
      'node',
      [LAB_BIN, 'up', 'bgp-metallb', '--instances', '3', '--prefix', p, '--parallel', '2'],
      {
        reject: false,
        all: true,
        env: { LAB_STATE_DIR: state, LAB_LOCK_DIR: locks },
      },
    );
    // once one attendee is proven: the others are on their way or not begun
    await new Promise<void>((resolve) => {
      let out = '';
      run.stdout?.on('data', (d) => {
        out += d;
        if (/up and proven at/.test(out)) resolve();
      });
      run.finally(() => resolve());
    });
    run.kill('SIGINT');
    const r = await run;
    expect(r.exitCode, r.all).toBe(130);
    expect(r.stderr).toMatch(
      /interrupted: every attendee's instance of bgp-metallb this run had created is removed/,
    );
    for (const n of [1, 2, 3]) {
      expect(leftovers(`lab.bgp-metallb.${p}-${n}.`)).toEqual({ namespaces: [], links: [], mounts: [] });
      expect(existsSync(dirOf(`${p}-${n}`))).toBe(false);
      expect(existsSync(`/run/lab/instances/bgp-metallb.${p}-${n}`)).toBe(false);
    }
    expect(readdirSync(locks)).toEqual([]);
  }, 120_000);

  it('lab down --instances N removes them all and leaves nothing of them on the host', async () => {
    expect(pids.length).toBeGreaterThan(10);
    const r = await lab(['down', 'bgp-metallb', '--instances', '2', '--prefix', prefix]);
    expect(r.exitCode, r.all).toBe(0);
    expect(r.stdout).toMatch(/2 of 2 attendees' instances .* removed/);
    expect(ours()).toEqual({ namespaces: [], links: [], mounts: [], folders: [], locks: [] });
    expect(pids.filter((p) => isAlive(p.pid, p.starttime))).toEqual([]);
    for (const n of names) expect(existsSync(`/run/lab/instances/bgp-metallb.${n}`)).toBe(false);
    // idempotent
    const again = await lab(['down', 'bgp-metallb', '--instances', '2', '--prefix', prefix]);
    expect(again.exitCode).toBe(0);
    expect(again.stdout).toMatch(/0 of 2 .* removed .*; 2 were not up/);
  }, 120_000);
});
