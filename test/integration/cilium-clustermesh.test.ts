// cilium-clustermesh for real, as root: three etcds, six agents, VXLAN between every node, the global
// service under shared/affinity; the README's walkthrough run as written; a node leaving and joining;
// an agent's death noticed; down leaves nothing (etcd data included).
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import { PROJECT_DIR } from '../../src/paths.js';
import { LAB_BIN, labCli } from '../helpers/cli.js';
import { leftovers, nodePidsOnHost, rootLinks } from '../helpers/host.js';
import { isRoot } from '../helpers/labs.js';
import { compareOutput } from '../helpers/readme.js';

if (!isRoot)
  console.warn('cilium-clustermesh integration tests skipped: they create namespaces and need root');

const LAB = 'cilium-clustermesh';
const instance = `ci${process.pid % 100000}`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The README's walkthrough: each `$ npx lab ...` line with the output lines shown under it. */
export function walkthrough(readme: string): { command: string; expected: string[] }[] {
  const section = readme.split('## Walk through it')[1]?.split('\n## ')[0] ?? '';
  const steps: { command: string; expected: string[] }[] = [];
  let inBlock = false;
  for (const line of section.split('\n')) {
    if (line.startsWith('```')) {
      inBlock = !inBlock;
      continue;
    }
    if (!inBlock) continue;
    if (line.startsWith('$ ')) steps.push({ command: line.slice(2), expected: [] });
    else if (line.trim() && steps.length) steps[steps.length - 1].expected.push(line.trim());
  }
  return steps;
}

describe.skipIf(!isRoot)('cilium-clustermesh on netns', () => {
  const state = mkdtempSync(join(tmpdir(), 'lab-cilium-'));
  const lab = labCli(state);
  let instanceDir = '';
  const exec = (node: string, command: string) => lab(['exec', LAB, '-i', instance, node, '--', command]);
  /** Polls a command until its output satisfies ok; returns how long that took. */
  const until = async (node: string, command: string, ok: (out: string) => boolean, ms = 10_000) => {
    const started = Date.now();
    while (Date.now() - started < ms) {
      if (ok((await exec(node, command)).stdout)) return Date.now() - started;
      await sleep(50);
    }
    throw new Error(`${node}: \`${command}\` never showed what was expected`);
  };

  afterAll(async () => {
    await lab(['down', LAB, '-i', instance]);
    rmSync(state, { recursive: true, force: true });
  });

  it('comes up with every check green', async () => {
    const r = await lab(['up', LAB, '-i', instance]);
    expect(r.exitCode, r.all).toBe(0);
    expect(r.all).toMatch(/agents-see-every-node on c1-cp: passed/);
    expect(r.all).toMatch(/pod-to-pod-every-direction on c1-cp: passed/);
    expect(r.all).toMatch(/global-service-from-c1 on c1-cp: passed .*30 answers: c1 x\d+, c2 x\d+, c3 x\d+/);
    expect(r.all).toMatch(/rules-from-c2 on c2-cp: passed .*30 answers: c3 x30/);
    expect(r.all).toMatch(/rules-from-c3 on c3-cp: passed .*30 answers: c2 x\d+, c3 x\d+/);
    expect(r.all).toMatch(/vxlan-tunnel-and-mtu on c1-worker: passed/);
    instanceDir = join(state, LAB, instance);
    expect(existsSync(join(instanceDir, 'nodes', 'c1-cp', 'run', 'etcd', 'data'))).toBe(true);
  });

  it("keeps Cilium's node keys on the agents' leases", async () => {
    const json = JSON.parse((await exec('c2-cp', 'etcdctl get -w json --prefix cilium/state/nodes/')).stdout);
    const kvs = json.kvs as { key: string; lease?: number; value: string }[];
    expect(kvs.map((kv) => Buffer.from(kv.key, 'base64').toString())).toEqual([
      'cilium/state/nodes/v1/c2/c2-cp',
      'cilium/state/nodes/v1/c2/c2-worker',
    ]);
    for (const kv of kvs) expect(kv.lease).toBeGreaterThan(0);
    const node = JSON.parse(Buffer.from(kvs[1].value, 'base64').toString());
    expect(node).toMatchObject({
      Name: 'c2-worker',
      Cluster: 'c2',
      ClusterID: 2,
      IPv4AllocCIDR: { IP: '10.2.1.0', Mask: '////AA==' },
    });
  });

  it("runs the README's walkthrough as written, with the answers it shows", async () => {
    // the node commands (lab check and lab down in it are the README runner's: test/integration/readme.test.ts)
    const steps = walkthrough(readFileSync(join(PROJECT_DIR, 'labs', LAB, 'README.md'), 'utf8')).filter((s) =>
      s.command.startsWith(`npx lab exec ${LAB} `),
    );
    expect(steps.length).toBeGreaterThan(15);
    for (const { command, expected } of steps) {
      const line = command.replace(`npx lab exec ${LAB} `, `node ${LAB_BIN} exec ${LAB} -i ${instance} `);
      const run = () => execa('sh', ['-c', line], { reject: false, env: { LAB_STATE_DIR: state } });
      // what reads the mesh may need the agents a few milliseconds to follow a change: ask again
      const reads = !/ (annotate|pod add|pod del|cilium-agent (start|stop))/.test(command);
      let r = await run();
      // compared as the README runner does: … marks what varies (counts, timings)
      for (let i = 0; reads && i < 40 && !compareOutput(expected, r.stdout).ok; i++) {
        await sleep(100);
        r = await run();
      }
      const cmp = compareOutput(expected, r.stdout);
      expect(cmp.ok, `${command}\n${cmp.explanation}\n${r.stderr}`).toBe(true);
    }
  });

  it('brings a node back into the mesh within a second of its agent starting', async () => {
    await exec('c3-worker', '/etc/lab/bin/cilium-agent stop');
    await until('c1-cp', '/etc/lab/bin/cilium-dbg node list', (o) => !o.includes('c3-worker'), 3000);
    const gone = await exec('c1-cp', 'ip netns exec client-c1 curl -sS -m 1 http://10.3.1.1/');
    expect(gone.exitCode).not.toBe(0);
    await exec('c3-worker', '/etc/lab/bin/cilium-agent start');
    const started = Date.now();
    await until('c1-cp', 'ip netns exec client-c1 curl -s -m 1 http://10.3.1.1/', (o) => o.trim() === 'c3');
    expect(Date.now() - started).toBeLessThan(3000);
    // the agent runs under a new pid, which the journal does not hold: lab check and status see it running
    const check = await lab(['check', LAB, '-i', instance]);
    expect(check.exitCode, check.all).toBe(0);
    expect(check.all).not.toContain('is not running');
  });

  it('notices an agent that dies: its lease expires and the others drop the node', async () => {
    const pid = (await exec('c2-worker', 'cat /run/cilium/agent.pid')).stdout.trim();
    await exec('c2-worker', `kill -9 ${pid}`);
    // the lease lasts 10 s; kill -9 revokes nothing
    await until('c3-cp', '/etc/lab/bin/cilium-dbg node list', (o) => !o.includes('c2-worker'), 15_000);
    expect((await exec('c3-worker', 'ip route show 10.2.1.0/24')).stdout).toBe('');
    await exec('c2-worker', '/etc/lab/bin/cilium-agent start');
    await until('c3-cp', '/etc/lab/bin/cilium-dbg node list', (o) => o.includes('c2-worker'), 5000);
  }, 30_000);

  it('lab down leaves nothing: namespaces, links, mounts, agents, etcds, pods, etcd data', async () => {
    // a node reports the pids of its own PID namespace: on the host they are found under its holder
    const pidsOf = async (node: string, files: string) => {
      const out = await exec(
        node,
        `cat ${files} 2>/dev/null; cat /run/cilium/pods/*.www/nginx.pid 2>/dev/null`,
      );
      const { reported, host } = nodePidsOnHost(join(instanceDir, 'journal.jsonl'), node, out.stdout);
      expect(host.length, `${node}: every pid found on the host`).toBe(reported.length);
      return host;
    };
    const pids = [
      ...(await pidsOf('c1-cp', '/run/cilium/agent.pid /run/etcd/etcd.pid')),
      ...(await pidsOf('c3-worker', '/run/cilium/agent.pid')),
    ];
    expect(pids.length).toBeGreaterThanOrEqual(3);
    // other labs come and go on this host meanwhile: ours is the link its instance names
    const { link } = JSON.parse(readFileSync(join(instanceDir, 'instance.json'), 'utf8'));
    expect(rootLinks()).toContain(link);
    const r = await lab(['down', LAB, '-i', instance]);
    expect(r.exitCode, r.all).toBe(0);
    expect(leftovers(`lab.${LAB}.${instance}`)).toEqual({
      namespaces: [],
      links: [],
      mounts: [],
    });
    expect(existsSync(instanceDir)).toBe(false); // the nodes' /run, where etcd kept its data
    // a zombie is gone (PID 1 reaps late)
    const alive = pids.filter((pid) => {
      try {
        return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
      } catch {
        return false;
      }
    });
    expect(alive).toEqual([]);
  });
});
