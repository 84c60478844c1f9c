// multi-coe-calico for real, as root: two orchestrators' pods reach each other through a GoBGP route
// reflector; a workload added while the lab runs is announced and withdrawn within seconds.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import { isAlive, startTimeOf } from '../../src/host/processes.js';
import { labCli } from '../helpers/cli.js';
import { leftovers, nodePidsOnHost, sandboxLeftovers } from '../helpers/host.js';
import { isRoot } from '../helpers/labs.js';

if (!isRoot) console.warn('multi-coe-calico integration tests skipped: they create namespaces and need root');

const instance = `ic${process.pid % 100000}`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.skipIf(!isRoot)('multi-coe-calico on netns', () => {
  const state = mkdtempSync(join(tmpdir(), 'lab-calico-'));
  const lab = labCli(state);
  let sshConfig = '';
  const labExec = (node: string, command: string) =>
    lab(['exec', 'multi-coe-calico', '-i', instance, node, '--', command]);
  const ssh = (node: string, command: string) =>
    execa('ssh', ['-F', sshConfig, node, command], { reject: false });
  /** Polls a command on a node until its output satisfies `ok`; returns how long that took. */
  const until = async (node: string, command: string, ok: (out: string) => boolean) => {
    const started = Date.now();
    while (Date.now() - started < 10_000) {
      if (ok((await ssh(node, command)).stdout)) return Date.now() - started;
      await sleep(100);
    }
    throw new Error(`${node}: \`${command}\` never showed what was expected`);
  };

  afterAll(async () => {
    await lab(['down', 'multi-coe-calico', '-i', instance]);
    await lab(['down', 'multi-coe-calico', '-i', `${instance}d`]);
    rmSync(state, { recursive: true, force: true });
  });

  it('comes up with every check green', async () => {
    const r = await lab(['up', 'multi-coe-calico', '-i', instance]);
    expect(r.exitCode, r.all).toBe(0);
    expect(r.all).toMatch(
      /reflector-sessions on rr: passed .*8 sessions Established, each having sent the blocks it holds/,
    );
    expect(r.all).toMatch(/pod-to-container on k8s-worker1: passed/);
    expect(r.all).toMatch(/container-to-pod on dcos-private2: passed/);
    sshConfig = (await lab(['ssh-config', 'multi-coe-calico', '-i', instance, '--path'])).stdout.trim();
  });

  it("shows both orchestrators' blocks on the reflector, to plain gobgp", async () => {
    const neighbors = (await ssh('rr', 'gobgp neighbor')).stdout;
    expect(neighbors.match(/Establ/g)).toHaveLength(8);
    expect(neighbors).toMatch(/172\.16\.18\.34\s+64511\s+\S+\s+Establ\s+\|\s+1\s+1/); // worker1: one block
    const rib = (await ssh('rr', 'gobgp global rib')).stdout;
    expect(rib).toMatch(/192\.168\.0\.64\/26\s+172\.16\.18\.34/); // k8s-worker1
    expect(rib).toMatch(/192\.168\.0\.128\/26\s+172\.16\.18\.35/); // k8s-worker2
    expect(rib).toMatch(/192\.168\.128\.128\/26\s+172\.16\.18\.45/); // dcos-private2
  });

  it('routes the DC/OS block on a Kubernetes worker, learned by BIRD', async () => {
    const ns = `lab.multi-coe-calico.${instance}.k8s-worker1`;
    const routes = await execa('ip', ['netns', 'exec', ns, 'ip', 'route', 'show', '192.168.128.128/26']);
    expect(routes.stdout).toMatch(/via 172\.16\.18\.45 dev eth0 proto bird/);
    expect((await ssh('k8s-worker1', 'birdc show protocols')).stdout).toMatch(
      /bgp_rr\s+BGP\s+\S+\s+up\s+\S+\s+Established/,
    );
  });

  it('lets the client pod fetch the nginx page by its address, and the container reach back', async () => {
    const page = await ssh('k8s-worker1', 'ip netns exec client curl -sS -m 3 http://192.168.128.129/');
    expect(page.stdout).toBe('Welcome to nginx on dcos-private2');
    const back = await ssh('dcos-private2', 'ip netns exec nginx curl -sS -m 3 http://192.168.0.65/');
    expect(back.stdout).toBe('coredns on k8s-worker1');
  });

  it('announces a workload added while the lab runs, and withdraws it when removed', async () => {
    const add = await labExec('k8s-worker3', "/etc/lab/bin/workload add web 'hello from web'");
    expect(add.stdout).toBe('web 192.168.0.193');
    const onReflector = await until('rr', 'gobgp global rib', (o) =>
      /192\.168\.0\.192\/26\s+172\.16\.18\.36/.test(o),
    );
    const onAgent = await until('dcos-private2', 'ip route show 192.168.0.192/26', (o) =>
      o.includes('via 172.16.18.36'),
    );
    expect(Math.max(onReflector, onAgent)).toBeLessThan(3000);
    expect(
      (await ssh('dcos-private2', 'ip netns exec nginx curl -sS -m 3 http://192.168.0.193/')).stdout,
    ).toBe('hello from web');
    await labExec('k8s-worker3', '/etc/lab/bin/workload del web');
    const withdrawn = await until('rr', 'gobgp global rib', (o) => !o.includes('192.168.0.192/26'));
    expect(withdrawn).toBeLessThan(3000);
    expect((await ssh('dcos-private2', 'ip route show 192.168.0.192/26')).stdout).toBe('');
  });

  it('comes up with the dynamic-neighbor reflector too', async () => {
    const r = await lab(['up', 'multi-coe-calico', '-i', `${instance}d`, '--set', 'dynamic_neighbors=true']);
    expect(r.exitCode, r.all).toBe(0);
    expect((await lab(['down', 'multi-coe-calico', '-i', `${instance}d`])).exitCode).toBe(0);
  });

  it('lab down leaves nothing, pods included', async () => {
    // a node reports the pids of its own PID namespace: on the host they are found under its holder.
    // Only this instance's pods count: other runs of this lab (steps, nightly) have the same paths
    const pods: { pid: number; starttime?: string }[] = [];
    for (const node of ['k8s-worker1', 'k8s-worker2', 'dcos-private2']) {
      const out = await labExec(
        node,
        'for n in $(ip netns list | cut -d" " -f1); do ip netns pids "$n"; done',
      );
      const journal = join(state, 'multi-coe-calico', instance, 'journal.jsonl');
      const { reported, host } = nodePidsOnHost(journal, node, out.stdout);
      expect(host.length, `${node}: every pid found on the host`).toBe(reported.length);
      for (const pid of host) pods.push({ pid, starttime: startTimeOf(pid) });
    }
    // the pods' nginx (coredns-a, coredns-b, nginx): master and worker each
    const args = pods.map(({ pid }) => readFileSync(`/proc/${pid}/cmdline`, 'utf8'));
    expect(args.filter((a) => a.includes('/run/lab-workloads/')).length).toBeGreaterThanOrEqual(3);
    const r = await lab(['down', 'multi-coe-calico', '-i', instance]);
    expect(r.exitCode, r.all).toBe(0);
    expect(leftovers(`lab.multi-coe-calico.${instance}`)).toEqual({
      namespaces: [],
      links: [],
      mounts: [],
    });
    expect(sandboxLeftovers(`lab.multi-coe-calico.${instance}`)).toEqual({
      idRanges: [],
      userns: [],
      cgroups: [],
    });
    expect(pods.filter((p) => isAlive(p.pid, p.starttime))).toEqual([]);
  });
});
