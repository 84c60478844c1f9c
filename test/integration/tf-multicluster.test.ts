// tf-multicluster for real, as root: two TF clusters whose control nodes peer (BGP face: BIRD; XMPP side:
// GoBGP), vRouter agents that tunnel pods and services across in VXLAN, and the demo's two traps brought
// up on purpose with --allow, their symptoms as the lab README walks a workshop through them.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Journal } from '../../src/engine/journal.js';
import { hostPidsOf } from '../../src/host/processes.js';
import { labCli } from '../helpers/cli.js';
import { leftovers } from '../helpers/host.js';
import { isRoot } from '../helpers/labs.js';

if (!isRoot) console.warn('tf-multicluster integration tests skipped: they create namespaces and need root');

const instance = `itf${process.pid % 100000}`;
const gatewayTrap = `${instance}g`;
const overlapTrap = `${instance}o`;
const OVERLAP = [
  '--set',
  'b_pods=10.32.0.0/12',
  '--set',
  'b_services=10.96.0.0/12',
  '--set',
  'b_fabric=10.64.0.0/12',
];
const CHECKS = [
  'control-nodes-peered',
  'gateway-peered',
  'a-control-node-rib',
  'b-control-node-rib',
  'pods-a-to-b',
  'pods-b-to-a',
  'a-tunnels-to-b',
  'b-tunnels-to-a',
  'service-b-from-a',
  'service-a-from-b',
  'a-vrouter-underlay',
  'b-vrouter-underlay',
];

/** The checks `lab up` reported as failed (✖ name on node). */
const failedChecks = (out: string) => CHECKS.filter((c) => new RegExp(`^✖ ${c} on `, 'm').test(out));

/** A process that is gone or a zombie (PID 1 reaps those late). */
const gone = (pid: number) => {
  const stat = `/proc/${pid}/stat`;
  if (!existsSync(stat)) return true;
  try {
    return readFileSync(stat, 'utf8').split(') ')[1]?.startsWith('Z') ?? true;
  } catch {
    return true;
  }
};

describe.skipIf(!isRoot)('tf-multicluster on netns', () => {
  const state = mkdtempSync(join(tmpdir(), 'lab-tf-'));
  const lab = labCli(state);
  const on = (inst: string, node: string, command: string) =>
    lab(['exec', 'tf-multicluster', '-i', inst, node, '--', command]);

  afterAll(async () => {
    for (const i of [instance, gatewayTrap, overlapTrap]) await lab(['down', 'tf-multicluster', '-i', i]);
    rmSync(state, { recursive: true, force: true });
  });

  // The sound lab's tests, in turn, beside the two traps' (each its own instance): most of a trap's
  // up is its first failing check's 20 s wait, curl after curl into a dead end, not work.
  describe.concurrent('the sound lab', () => {
    it.sequential('comes up with every check green: peering, RIBs, pods and services both ways, underlay', async () => {
      const r = await lab(['up', 'tf-multicluster', '-i', instance]);
      expect(r.exitCode, r.all).toBe(0);
      expect(failedChecks(r.all)).toEqual([]);
      for (const c of CHECKS) expect(r.all).toMatch(new RegExp(`${c} on \\S+: passed`));
      expect(r.all).not.toContain('DESPITE');
    }, 120_000);

    it.sequential("holds each cluster's pods in its control node with their vRouter as next hop, the other's too", async () => {
      const rib = (await on(instance, 'a-master', 'gobgp global rib')).stdout;
      expect(rib).toMatch(/10\.47\.255\.252\/32\s+10\.10\.0\.21\s/); // web-a-worker1 via a-worker1
      expect(rib).toMatch(/10\.63\.255\.252\/32\s+10\.20\.0\.21\s+64513/); // web-b-worker1 via b-worker1
      expect(rib).toMatch(/10\.112\.0\.20\/32\s+10\.20\.0\.21\s+64513/); // B's ClusterIP
      // the control node's BGP face (BIRD) peers with B's and the gateway, its XMPP side (GoBGP) with it
      const protocols = (await on(instance, 'a-master', 'birdc show protocols')).stdout;
      for (const p of ['bgp_b_master', 'bgp_gateway', 'xmpp'])
        expect(protocols).toMatch(new RegExp(`^${p}\\s+BGP\\s.*\\sEstablished`, 'm'));
      const neighbors = (await on(instance, 'a-master', 'gobgp neighbor')).stdout;
      expect(neighbors).toMatch(/127\.0\.0\.1\s+64512\s+\S+\s+Establ/);
    });

    it.sequential('tunnels to the other cluster in VXLAN from the vRouter, underlay via the gateway', async () => {
      const route = (await on(instance, 'a-worker1', 'ip route show 10.63.255.252')).stdout;
      expect(route).toMatch(/via 10\.20\.0\.21 dev vtep0 proto 200 onlink/);
      const vxlan = (await on(instance, 'a-worker1', 'ip -d link show vtep0')).stdout;
      expect(vxlan).toMatch(/vxlan id 1 local 10\.10\.0\.21 .*dstport 4789/);
      expect((await on(instance, 'a-worker1', 'ip route show default')).stdout).toContain('via 10.10.0.1');
      const answer = await on(
        instance,
        'a-worker1',
        'ip netns exec toolbox curl -sS -m 2 http://10.63.255.252/',
      );
      expect(answer.stdout).toBe('cluster b pod web-b-worker1');
    });

    it.sequential('notices a vRouter whose routes are gone, though its pods still answer through the gateway', async () => {
      // the gateway learns every pod route as SDN gateway: without the tunnel check this passed
      const flushed = await on(instance, 'a-worker1', 'ip route flush proto 200');
      expect(flushed.exitCode, flushed.stderr).toBe(0);
      const answer = await on(
        instance,
        'a-worker1',
        'ip netns exec toolbox curl -sS -m 2 http://10.63.255.252/',
      );
      expect(answer.stdout).toBe('cluster b pod web-b-worker1');
      const check = await lab(['check', 'tf-multicluster', '-i', instance]);
      expect(check.exitCode, check.all).toBe(5);
      expect(failedChecks(check.all)).toEqual(['a-tunnels-to-b']);
      expect(check.all).toMatch(/10\.63\.255\.252 via 10\.10\.0\.1 dev eth0/);
      expect(check.all).toContain('0 of 1 pods of B through vtep0');
      // the agent's resync puts them back (every minute or so); ending its stream's timeout is the quick
      // way: the stream starts again with the kernel's routes and the whole table
      const timeoutPid = (
        await on(instance, 'a-worker1', 'ps -eo pid=,args= | awk \'$2 == "timeout" { print $1 }\'')
      ).stdout.trim();
      expect(timeoutPid).toMatch(/^\d+$/);
      expect((await on(instance, 'a-worker1', `kill ${timeoutPid}`)).exitCode).toBe(0);
      const again = await lab(['check', 'tf-multicluster', '-i', instance, '--wait']);
      expect(again.exitCode, again.all).toBe(0);
    }, 60_000);
  });

  it.concurrent('trap 1, VROUTER_GATEWAY = the master: refused by lint, then shown on purpose with --allow', async () => {
    const refused = await lab([
      'up',
      'tf-multicluster',
      '-i',
      gatewayTrap,
      '--set',
      'a_vrouter_gateway=10.10.0.10',
    ]);
    expect(refused.exitCode).toBe(2);
    expect(refused.all).toContain('[vrouter-gateway]');
    const unknown = await lab([
      'up',
      'tf-multicluster',
      '-i',
      gatewayTrap,
      '--allow',
      'vrouter-gateway,nope',
    ]);
    expect(unknown.exitCode).toBe(2);
    expect(unknown.all).toContain("no lint code 'nope'");

    const r = await lab([
      'up',
      'tf-multicluster',
      '-i',
      gatewayTrap,
      '--allow',
      'vrouter-gateway',
      '--set',
      'a_vrouter_gateway=10.10.0.10',
    ]);
    expect(r.exitCode, r.all).toBe(5);
    expect(r.all).toMatch(/!!! tf-multicluster runs DESPITE 1 lint error \(--allow vrouter-gateway\)/);
    // the walkthrough: check 5 names the wrong next hop; everything that leaves A's underlay fails
    expect(failedChecks(r.all)).toEqual([
      'pods-a-to-b',
      'pods-b-to-a',
      'service-b-from-a',
      'service-a-from-b',
      'a-vrouter-underlay',
    ]);
    expect(r.all).toMatch(/a-vrouter-underlay on a-worker1 failed .*missing gateway \(10\.10\.0\.1\)/);
    expect(r.all).toContain('default via 10.10.0.10 dev eth0');
    // the worker still reaches its own underlay (the gateway, on the link) and nothing beyond it
    expect((await on(gatewayTrap, 'a-worker1', 'ip route get 10.20.0.21')).stdout).toContain(
      'via 10.10.0.10',
    );
    const ping = (address: string) =>
      on(gatewayTrap, 'a-worker1', `ping -c1 -W1 ${address}`).then((x) => x.exitCode);
    expect(await ping('10.10.0.1')).toBe(0); // the gateway, on the worker's own link
    expect(await ping('10.20.0.10')).not.toBe(0); // B's control node, beyond it
    // status and check say it loudly too
    const status = await lab(['status', 'tf-multicluster']);
    expect(status.stdout).toMatch(
      /instance itf\d+g\): failed.*\n\s+!!! tf-multicluster runs DESPITE 1 lint error/,
    );
    const check = await lab(['check', 'tf-multicluster', '-i', gatewayTrap]);
    expect(check.exitCode).toBe(5);
    expect(check.stdout).toMatch(/✖ a-vrouter-underlay on a-worker1/);
    const down = await lab(['down', 'tf-multicluster', '-i', gatewayTrap]);
    expect(down.exitCode, down.all).toBe(0);
  }, 180_000);

  it.concurrent('trap 2, B on A subnets: services answer from A to B only; pods answer from the wrong cluster', async () => {
    const r = await lab([
      'up',
      'tf-multicluster',
      '-i',
      overlapTrap,
      '--allow',
      'prefix-overlap',
      ...OVERLAP,
    ]);
    expect(r.exitCode, r.all).toBe(5);
    expect(r.all).toMatch(/runs DESPITE 3 lint errors \(--allow prefix-overlap\)/);
    expect(failedChecks(r.all)).toEqual([
      'pods-a-to-b',
      'pods-b-to-a',
      'a-tunnels-to-b',
      'b-tunnels-to-a',
      'service-a-from-b',
    ]);
    // the tunnel check says why: a-worker1's way to "B's pod" is the tap of A's own
    expect(r.all).toMatch(/10\.47\.255\.252 dev tap\w+ src 10\.10\.0\.21/);
    expect(r.all).toMatch(/service-b-from-a on a-worker1: passed .*cluster b pod web-b-worker1/);
    // "B's pod" answers from A: A's vRouter holds the same address locally
    const answer = await on(
      overlapTrap,
      'a-worker1',
      'ip netns exec toolbox curl -sS -m 2 http://10.47.255.252/',
    );
    expect(answer.stdout).toBe('cluster a pod web-a-worker1');
    // both control nodes hold the address twice: their own vRouter's path wins
    const ribA = (await on(overlapTrap, 'a-master', 'gobgp global rib')).stdout;
    expect(ribA).toMatch(/\*> 10\.47\.255\.252\/32\s+10\.10\.0\.21\s/);
    expect(ribA).toMatch(/\* {2}10\.47\.255\.252\/32\s+10\.20\.0\.21\s+64513/);
    const ribB = (await on(overlapTrap, 'b-master', 'gobgp global rib')).stdout;
    expect(ribB).toMatch(/\*> 10\.47\.255\.252\/32\s+10\.20\.0\.21\s/);
    // the gateway learns it from both control nodes and forwards to one cluster only
    const gw = (await on(overlapTrap, 'gateway', 'birdc show route 10.47.255.252/32')).stdout;
    expect(gw).toMatch(/bgp_a_master/);
    expect(gw).toMatch(/bgp_b_master/);
    const down = await lab(['down', 'tf-multicluster', '-i', overlapTrap]);
    expect(down.exitCode, down.all).toBe(0);
  }, 180_000);

  it('lab down leaves nothing: namespaces, links, mounts, agents, pods', async () => {
    const local = (
      await on(
        instance,
        'a-worker1',
        'cat /run/vrouter-agent.pid; for p in web-a-worker1 toolbox; do ip netns pids $p; done',
      )
    ).stdout
      .split('\n')
      .map(Number)
      .filter((n) => n > 0);
    // the node's own PID namespace: its pids are found on the host under its holder
    const journal = new Journal(join(state, 'tf-multicluster', instance, 'journal.jsonl'));
    const pids = [...hostPidsOf(journal.pidOf('process:a-worker1:holder') ?? 0, local).values()];
    expect(pids.length).toBe(local.length);
    expect(pids.length).toBeGreaterThanOrEqual(2);
    const { link } = JSON.parse(
      readFileSync(join(state, 'tf-multicluster', instance, 'instance.json'), 'utf8'),
    );
    const r = await lab(['down', 'tf-multicluster', '-i', instance]);
    expect(r.exitCode, r.all).toBe(0);
    // only what this run created: other engineers' labs may come and go meanwhile
    for (const i of [instance, gatewayTrap, overlapTrap]) {
      const left = leftovers(`lab.tf-multicluster.${i}`);
      expect(left.namespaces).toEqual([]);
      expect(left.mounts.filter((m) => m.includes(state))).toEqual([]);
    }
    expect(existsSync(`/sys/class/net/${link}`)).toBe(false);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(pids.filter((p) => !gone(p))).toEqual([]);
  });
});
