// Interrupted and crashed runs leave nothing behind: Ctrl-C cleans up itself, lab gc cleans up after kill -9.
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { execa } from 'execa';
import { afterAll, describe, expect, it, onTestFinished } from 'vitest';
import { cgroupProcsFiles } from '../../src/providers/netns/cgroups.js';
import { LAB_BIN } from '../helpers/cli.js';
import { labMounts, leftovers, rootLinks, sandboxLeftovers } from '../helpers/host.js';
import { isRoot } from '../helpers/labs.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.skipIf(!isRoot)('interrupted runs', () => {
  const state = mkdtempSync(join(tmpdir(), 'lab-int-'));
  const env = { LAB_STATE_DIR: state };
  afterAll(() => rmSync(state, { recursive: true, force: true }));
  /** Until lab up has begun creating (its journal exists): a loaded host can take a second to get there. */
  const started = async (instance: string) => {
    const journal = join(state, 'bgp-metallb', instance, 'journal.jsonl');
    for (let i = 0; i < 1000 && !existsSync(journal); i++) await sleep(10);
    await sleep(150);
  };

  it('Ctrl-C half-way removes what was created and exits 130', async () => {
    const instance = `ic${process.pid % 100000}`;
    const up = execa('node', [LAB_BIN, 'up', 'bgp-metallb', '-i', instance], {
      env,
      reject: false,
      all: true,
    });
    await started(instance); // half-way: the network is made, nodes are booting
    up.kill('SIGINT');
    const r = await up;
    expect(r.exitCode, r.all).toBe(130);
    expect(r.all).toMatch(/interrupted: everything bgp-metallb \(instance ic\d+\) had created is removed/);
    expect(leftovers(`lab.bgp-metallb.${instance}`)).toEqual({
      namespaces: [],
      links: [],
      mounts: [],
    });
  });

  it('Ctrl-C while the namespaces are made stops their shell where it is, exits 130 and leaves nothing', async () => {
    // 400 nodes, nothing running on them: their namespaces take seconds to make, and a Ctrl-C then
    // used to wait for the last of them before anything was removed
    const nodes = Array.from({ length: 400 }, (_, i) => {
      const net = Math.floor(i / 100);
      return `  h${i}:\n    interfaces: [{ network: n${net}, address: 10.7${net}.0.${(i % 100) + 10} }]`;
    });
    // beside the state folder, not in it (lab refuses a state folder holding what it did not write)
    const folder = mkdtempSync(join(tmpdir(), 'lab-int-file-'));
    onTestFinished(() => rmSync(folder, { recursive: true, force: true }));
    const file = join(folder, 'many.yaml');
    writeFileSync(
      file,
      [
        'name: manyns',
        'description: many nodes and nothing on them',
        'networks:',
        ...[0, 1, 2, 3].map((n) => `  n${n}: { prefix: 10.7${n}.0.0/24 }`),
        'nodes:',
        ...nodes,
        'checks:',
        "  - { name: ping, node: h0, run: 'ping -c 1 -W 1 10.70.0.11', expect: { match: '1 received' } }",
        '',
      ].join('\n'),
    );
    const instance = `in${process.pid % 100000}`;
    const up = execa('node', [LAB_BIN, 'up', file, '-i', instance], { env, reject: false, all: true });
    // the shell that makes them is recorded with its pid once it runs
    const journal = join(state, 'manyns', instance, 'journal.jsonl');
    const running = () =>
      existsSync(journal) && /"process:network:setup"[^\n]*"pid"/.test(readFileSync(journal, 'utf8'));
    for (let i = 0; i < 3000 && !running(); i++) await sleep(10);
    up.kill('SIGINT');
    const r = await up;
    expect(r.exitCode, r.all).toBe(130);
    // the network step itself was interrupted: it did not run to its end first
    expect(r.all).toMatch(/network: 400 nodes on 4 networks.*\[FAILED: interrupted\]/);
    expect(r.all).toMatch(/interrupted: everything manyns \(instance in\d+\) had created is removed/);
    expect(leftovers(`lab.manyns.${instance}`)).toEqual({ namespaces: [], links: [], mounts: [] });
    expect(sandboxLeftovers(`lab.manyns.${instance}`)).toEqual({ idRanges: [], userns: [], cgroups: [] });
  });

  it('lab gc removes what a killed lab up left', async () => {
    const instance = `ik${process.pid % 100000}`;
    const up = execa('node', [LAB_BIN, 'up', 'bgp-metallb', '-i', instance], { env, reject: false });
    await started(instance);
    await sleep(100);
    up.kill('SIGKILL');
    await up;
    const gc = await execa('node', [LAB_BIN, 'gc'], { env, reject: false, all: true });
    expect(gc.exitCode, gc.all).toBe(0);
    expect(gc.stdout).toMatch(new RegExp(`removed crashed instance bgp-metallb/${instance}`));
    expect(leftovers(`lab.bgp-metallb.${instance}`)).toEqual({
      namespaces: [],
      links: [],
      mounts: [],
    });
    expect(sandboxLeftovers(`lab.bgp-metallb.${instance}`)).toEqual({
      idRanges: [],
      userns: [],
      cgroups: [],
    });
    const again = await execa('node', [LAB_BIN, 'gc'], { env, reject: false });
    expect(again.stdout).toBe('nothing to collect');
  });

  it('lab gc removes what a lab up killed while it made the namespaces left of the sandbox', async () => {
    const instance = `is${process.pid % 100000}`;
    const journal = join(state, 'bgp-metallb', instance, 'journal.jsonl');
    const up = execa('node', [LAB_BIN, 'up', 'bgp-metallb', '-i', instance], { env, reject: false });
    // killed while its shell makes the namespaces and mounts (recorded with its pid): once its first
    // namespace is made (a process of the group in a user namespace of its own), before the one mount -a
    // that keeps them and mounts the nodes' folders
    const ownUserns = readlinkSync('/proc/self/ns/user');
    const started = (pgid: number) =>
      readdirSync('/proc').some((p) => {
        try {
          const stat = readFileSync(`/proc/${p}/stat`, 'utf8');
          return (
            stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2] === String(pgid) &&
            readlinkSync(`/proc/${p}/ns/user`) !== ownUserns
          );
        } catch {
          return false;
        }
      });
    let setup: number | undefined;
    for (let i = 0; i < 3000 && !(setup && started(setup)) && up.exitCode === null; i++) {
      await sleep(5);
      const line = existsSync(journal)
        ? readFileSync(journal, 'utf8')
            .split('\n')
            .find((l) => l.includes('"process:network:setup"') && l.includes('"pid"'))
        : undefined;
      setup ??= line ? JSON.parse(line).update.pid : undefined;
    }
    expect(setup, 'lab up never ran its namespace setup').toBeGreaterThan(0);
    // held where it is while lab up dies and gc runs (on a quiet host it may otherwise be done before
    // gc starts), let go after: whatever it would still make would then outlive the sweep
    const group = (sig: NodeJS.Signals) => {
      try {
        process.kill(-(setup as number), sig);
      } catch {
        // the group is gone
      }
    };
    group('SIGSTOP');
    up.kill('SIGKILL');
    await up;
    const gc = await execa('node', [LAB_BIN, 'gc'], { env, reject: false, all: true });
    group('SIGCONT');
    expect(gc.exitCode, gc.all).toBe(0);
    expect(gc.stdout).toMatch(new RegExp(`removed crashed instance bgp-metallb/${instance}`));
    await sleep(1000);
    // nothing of its setup runs on (it would mount after the sweep), nothing of it is left
    const ps = await execa('ps', ['-eo', 'pgid=,stat=']);
    const running = ps.stdout.split('\n').filter((l) => {
      const [pgid, stat] = l.trim().split(/\s+/);
      return pgid === String(setup) && !stat.startsWith('Z');
    });
    expect(running, 'the setup shell or what it started still runs').toEqual([]);
    expect(leftovers(`lab.bgp-metallb.${instance}`)).toEqual({ namespaces: [], links: [], mounts: [] });
    expect(sandboxLeftovers(`lab.bgp-metallb.${instance}`)).toEqual({
      idRanges: [],
      userns: [],
      cgroups: [],
    });
  });

  it('lab gc removes what no journal lists of the sandbox: id ranges, kept user namespaces, cgroups and their processes, node folders', async () => {
    const id = `o${process.pid % 100000}`;
    const netns = `lab.orphan-test.${id}.n1`;
    const slot = join('/run/lab/uids', String(65000 + (process.pid % 500)));
    const userns = join('/run/lab/userns', netns);
    const folder = join(state, 'orphan-test', id, 'nodes', 'n1');
    const procsFiles = cgroupProcsFiles({ instance: `lab.orphan-test.${id}`, node: netns });
    onTestFinished(() => rmSync(join(state, 'orphan-test'), { recursive: true, force: true }));
    // a range taken a while ago, a kept user namespace, a tmpfs node folder, cgroups with a process in them
    await execa('sh', ['-c', `ln -s "$1" "$2" && touch -h -d '-10 min' "$2"`, 'sh', netns, slot]);
    await execa('sh', [
      '-c',
      'unshare --user sleep 300 & p=$!; while [ "$(readlink /proc/$p/ns/user)" = "$(readlink /proc/self/ns/user)" ]; do sleep 0.01; done; : > "$1" && mount --bind /proc/$p/ns/user "$1"; kill $p',
      'sh',
      userns,
    ]);
    mkdirSync(folder, { recursive: true });
    await execa('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'lab-node', folder]);
    for (const f of procsFiles) mkdirSync(dirname(f), { recursive: true });
    const sleeper = execa(
      'sh',
      ['-c', 'for f in "$@"; do echo $$ > "$f"; done; exec sleep 300', 'sh', ...procsFiles],
      { reject: false },
    );
    await sleep(200);
    expect(sandboxLeftovers(`lab.orphan-test.${id}`)).toEqual({
      idRanges: [netns],
      userns: [netns],
      cgroups: procsFiles.length ? [`lab.orphan-test.${id}`] : [],
    });
    const gc = await execa('node', [LAB_BIN, 'gc'], { env, reject: false, all: true });
    expect(gc.exitCode, gc.all).toBe(0);
    for (const what of ['id range', 'user namespace', ...(procsFiles.length ? ['cgroup'] : [])])
      expect(gc.stdout).toContain(
        `removed orphaned ${what} ${what === 'cgroup' ? `lab.orphan-test.${id}` : netns}`,
      );
    expect(gc.stdout).toContain(`removed orphaned mount ${folder}`);
    expect(sandboxLeftovers(`lab.orphan-test.${id}`)).toEqual({ idRanges: [], userns: [], cgroups: [] });
    expect(labMounts().filter((l) => l.includes(folder))).toEqual([]);
    if (procsFiles.length) expect((await sleeper).signal).toBe('SIGTERM');
    else sleeper.kill();
  });

  it('lab gc removes orphans by name prefix, processes first, and spares labs started from other state folders', async () => {
    const other = mkdtempSync(join(tmpdir(), 'lab-other-'));
    const instance = `ig${process.pid % 100000}`;
    onTestFinished(async () => {
      await execa('node', [LAB_BIN, 'down', 'bgp-metallb', '-i', instance], {
        env: { LAB_STATE_DIR: other },
        reject: false,
      });
      rmSync(other, { recursive: true, force: true });
    });
    const up = await execa('node', [LAB_BIN, 'up', 'bgp-metallb', '-i', instance], {
      env: { LAB_STATE_DIR: other },
      reject: false,
      all: true,
    });
    expect(up.exitCode, up.all).toBe(0);
    // an orphan: a namespace and a root link with our prefixes that no journal lists, a process inside
    const orphan = `lab.orphan-test.o${process.pid % 100000}`;
    const link = `lab${(process.pid % 0xfffff).toString(16).padStart(5, '0')}`;
    await execa('ip', ['netns', 'add', orphan]);
    await execa('ip', ['link', 'add', link, 'type', 'veth', 'peer', 'name', 'o0', 'netns', orphan]);
    const sleeper = execa('ip', ['netns', 'exec', orphan, 'sleep', '300'], { reject: false });
    await sleep(100);
    const gc = await execa('node', [LAB_BIN, 'gc'], { env, reject: false, all: true });
    expect(gc.exitCode, gc.all).toBe(0);
    expect(gc.stdout).toMatch(new RegExp(`removed orphaned namespace ${orphan.replaceAll('.', '\\.')}`));
    expect(gc.stdout).toMatch(new RegExp(`removed orphaned link ${link}`));
    expect((await sleeper).signal).toBe('SIGTERM');
    expect(leftovers(orphan).namespaces).toEqual([]);
    expect(rootLinks()).not.toContain(link);
    // the lab from the other state folder is listed on the host: gc left it running
    const check = await execa('node', [LAB_BIN, 'check', 'bgp-metallb', '-i', instance], {
      env: { LAB_STATE_DIR: other },
      reject: false,
      all: true,
    });
    expect(check.exitCode, check.all).toBe(0);
  });
});
