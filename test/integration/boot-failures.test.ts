// A node whose boot fails says so at once, naming the tool's error: the launcher shell is shared by
// every boot of the process and outlives each node (launcher.ts), so no closed pipe tells; the
// node's own "failed" line, or its holder's end, does.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Booter, type BootRequest } from '../../src/providers/netns/boot.js';
import { isRoot } from '../helpers/labs.js';

const journal = { record: () => undefined, update: () => undefined } as never;

describe.skipIf(!isRoot)('a node that does not boot', () => {
  const dir = mkdtempSync(join(tmpdir(), 'lab-bootfail-'));
  const netns = `labtest-bf${process.pid % 100000}`;
  afterAll(() => {
    execFileSync('ip', ['netns', 'delete', netns], { stdio: 'ignore' });
    rmSync(dir, { recursive: true, force: true });
  });

  /** cgroup: the node's cgroups under lab's (cgroups.ts); '..' and '.' name the tree's root, which
   * every process may join. */
  const request = (ns: string, name: string, cgroup = { instance: '..', node: '.' }): BootRequest => {
    const node = join(dir, name);
    const dirs = Object.fromEntries(
      ['etc', 'work', 'log', 'run', 'root', 'varUpper', 'varWork'].map((d) => [d, join(node, d)]),
    ) as BootRequest['dirs'];
    for (const d of Object.values(dirs)) mkdirSync(d, { recursive: true });
    return {
      node: name,
      netns: ns,
      dirs,
      hidden: [],
      userns: join(dir, 'no-such-userns'),
      idBase: 1_000_000,
      wiring: [],
      diskMb: 16,
      cgroup: { ...cgroup, memoryMb: 64, cpus: 1 },
      startScript: '',
      scriptFile: '/run/lab-start.sh',
    };
  };

  it('fails at once when a tool before its holder fails (no network namespace), with its error', async () => {
    const t = performance.now();
    const booted = new Booter(journal).boot(request(`${netns}-absent`, 'n1'));
    await expect(booted).rejects.toThrow(/n1: the node did not boot \(exit \d+\): .*nsenter/);
    expect(performance.now() - t).toBeLessThan(5000);
  });

  it('fails at once when its holder fails (its user namespace cannot be opened), with its error', async () => {
    execFileSync('ip', ['netns', 'add', netns]);
    const t = performance.now();
    const booted = new Booter(journal).boot(request(netns, 'n2'));
    await expect(booted).rejects.toThrow(/n2: the node did not boot \(exit \d+\): .*no-such-userns/);
    expect(performance.now() - t).toBeLessThan(5000);
  });

  it("fails at once when its interfaces cannot be set in its namespace, with ip's error", async () => {
    const req = request(netns, 'n5');
    // any file opens as the user namespace: the holder fails at its interfaces, before it enters one
    req.userns = join(dir, 'userns-stand-in');
    writeFileSync(req.userns, '');
    req.wiring = ['link set lo up', 'addr add 192.0.2.1/24 dev nosuch0'];
    const t = performance.now();
    await expect(new Booter(journal).boot(req)).rejects.toThrow(
      /n5: the node did not boot \(exit \d+\): [\s\S]*nosuch0[\s\S]*ip-batch:2/,
    );
    expect(performance.now() - t).toBeLessThan(5000);
  });

  it('fails at once when it cannot join its cgroups: no node runs outside its limits', async () => {
    const booted = new Booter(journal).boot(request(netns, 'n4', { instance: 'labtest-none', node: 'none' }));
    await expect(booted).rejects.toThrow(
      /n4: the node did not boot \(exit 1\): .*labtest-none.*cgroup\.procs/,
    );
  });

  it('a later node of the same process still boots its way (the launcher lives on)', async () => {
    // the same shared launcher answers a third request: its failure is its own again, not a stale one
    const booted = new Booter(journal).boot(request(`${netns}-absent2`, 'n3'));
    await expect(booted).rejects.toThrow(/n3: the node did not boot/);
  });
});
