// Point-to-point links, per-member groups and private ASes in the model, and the fabric's bulk judge.
import { describe, expect, it } from 'vitest';
import { nodeByName } from '../../src/core/lab.js';
import { judgeRoutes, routeTable } from '../../src/engine/routes-judge.js';
import { lintLab } from '../../src/lint/index.js';
import { neighbourEntries } from '../../src/lint/requirements.js';
import { loadLabText } from '../../src/model/load.js';
import { openLab } from '../../src/model/open.js';
import { privateAses, resolveLab } from '../../src/model/resolve.js';
import { labFile } from '../helpers/labs.js';

const resolve = (text: string) => resolveLab(loadLabText(text, 'lab.yaml'));
const fabric = (sets: string[] = []) => openLab(labFile('clos-fabric'), sets).lab;

describe('links', () => {
  it('gives every spine and leaf a /31 of the pool in order, each end an interface after its own', () => {
    const lab = fabric(['spines=2', 'leaves=3', 'servers=1']);
    const leaf2 = nodeByName(lab, 'leaf2')!;
    expect(leaf2.interfaces.map((i) => `${i.name} ${i.cidr}`)).toEqual([
      'eth0 10.1.0.3/31', // spine1-leaf2: the 2nd /31 of the fabric pool, the leaf's end
      'eth1 10.1.0.9/31', // spine2-leaf2: the 5th
      'eth2 10.2.0.2/31', // to server2, its own: the racks pool
    ]);
    expect(nodeByName(lab, 'spine1')!.interfaces.map((i) => i.address)).toEqual([
      '10.1.0.0',
      '10.1.0.2',
      '10.1.0.4',
    ]);
    const link = lab.networks.find((n) => n.name === 'fabric-2')!;
    expect(link.link).toEqual({ name: 'fabric', ends: ['spine1', 'leaf2'] });
    // a server's default route via its leaf: the leaf's end of their /31
    expect(nodeByName(lab, 'server2')!.routes).toEqual([{ to: 'default', via: '10.2.0.2' }]);
    // each leaf announces its servers' /31s besides its loopback; sessions use the link's addresses
    expect(leaf2.bgp!.originate!.map((o) => o.prefix)).toEqual(['10.255.0.4/32', '10.2.0.2/31']);
    expect(leaf2.bgp!.neighbors.map((n) => `${n.localAddress}>${n.address}`)).toEqual([
      '10.1.0.3>10.1.0.2',
      '10.1.0.9>10.1.0.8',
    ]);
  });

  it('a per: group of 0 (servers: 0) makes no nodes, no links and no checks, and lints clean', () => {
    const lab = fabric(['servers=0']);
    expect(lab.nodes.filter((n) => n.group === 'server')).toEqual([]);
    expect(lab.networks.filter((n) => n.link?.name === 'racks')).toEqual([]);
    expect(lab.checks.filter((c) => c.name === 'servers-reach')).toEqual([]);
    expect(lintLab(lab).filter((i) => i.severity === 'error')).toEqual([]);
  });

  it('refuses a pool too small for its links, and a via no link reaches', () => {
    const { issues } = resolve(`
name: t
description: t
links:
  l: { between: [a, b], pool: 10.1.0.0/30 }
nodes:
  a: { count: 2 }
  b: { count: 2, routes: [{ to: default, via: c }] }
  c: {}
`);
    expect(issues.map((i) => `${i.code} ${i.path.join('.')}`)).toEqual([
      'pool-exhausted links.l.pool',
      'route-invalid nodes.b.routes.0.via',
      'route-invalid nodes.b.routes.0.via',
    ]);
    expect(issues[0].message).toMatch(/needs 4 \/31s, and 10\.1\.0\.0\/30 holds 2/);
  });

  it('a group linked with itself: each pair once', () => {
    const { lab } = resolve(`
name: t
description: t
links:
  mesh: { between: [r, r], pool: 10.1.0.0/24 }
nodes:
  r: { count: 3 }
`);
    expect(lab.networks.map((n) => n.link!.ends.join('-'))).toEqual(['r1-r2', 'r1-r3', 'r2-r3']);
  });
});

describe('bgp.as: private', () => {
  it('each member the next private AS no one else uses, 2-byte first, then 4-byte', () => {
    const lab = fabric(['spines=2', 'leaves=3']);
    expect(lab.nodes.map((n) => `${n.name}:${n.bgp!.as}`)).toEqual([
      'spine1:65000',
      'spine2:65000',
      'leaf1:64512',
      'leaf2:64513',
      'leaf3:64514',
    ]);
    const { lab: big } = resolve(`
name: t
description: t
nodes:
  a: { bgp: { as: 64513 } }
  b: { count: 5, bgp: { as: private } }
`);
    expect(big.nodes.filter((n) => n.group === 'b').map((n) => n.bgp!.as)).toEqual([
      64512, 64514, 64515, 64516, 64517,
    ]);
  });

  it('rolls over to 4200000000 when the 2-byte private range is used up', () => {
    const used = new Set(Array.from({ length: 65531 - 64512 }, (_, i) => 64512 + i));
    expect(privateAses(6, used)).toEqual([65531, 65532, 65533, 65534, 4200000000, 4200000001]);
    expect(privateAses(3, new Set([4200000000]))).toEqual([64512, 64513, 64514]);
  });
});

describe('routes: one read of the table judges the whole fabric', () => {
  const lab = fabric(['spines=2', 'leaves=3']);
  const OK = `10.1.0.0/31 dev eth0 proto kernel scope link src 10.1.0.1
10.255.0.4 proto bird metric 32
\tnexthop via 10.1.0.0 dev eth0 weight 1
\tnexthop via 10.1.0.6 dev eth1 weight 1
10.255.0.5 proto bird metric 32
\tnexthop via 10.1.0.0 dev eth0 weight 1
\tnexthop via 10.1.0.6 dev eth1 weight 1
`;
  it('parses ip route show, host routes as /32', () => {
    expect(routeTable(OK).get('10.255.0.4/32')).toEqual(['10.1.0.0', '10.1.0.6']);
    expect(routeTable(OK).get('10.1.0.0/31')).toEqual([]);
  });

  it('passes when every other leaf is routed over every spine, and says which are not', () => {
    const spec = { of: 'leaf', via: 'spine' };
    expect(judgeRoutes(lab, 'leaf1', OK, spec)).toEqual({
      ok: true,
      detail: '2 prefixes of 2 nodes, each over 2 next hops',
    });
    const one = OK.replace('\tnexthop via 10.1.0.6 dev eth1 weight 1\n10.255.0.5', '10.255.0.5');
    const r = judgeRoutes(lab, 'leaf1', one, spec);
    expect(r.ok).toBe(false);
    expect(!r.ok && r.reason).toMatch(
      /leaf2's 10\.255\.0\.4\/32: 1 of 2 next hops, none via spine2 \(10\.1\.0\.6\)/,
    );
    const gone = judgeRoutes(lab, 'leaf1', OK.split('10.255.0.5')[0], spec);
    expect(!gone.ok && gone.reason).toMatch(/leaf3's 10\.255\.0\.5\/32: no route/);
    const stray = judgeRoutes(
      lab,
      'leaf1',
      OK.replace('via 10.1.0.6 dev eth1', 'via 10.9.9.9 dev eth1'),
      spec,
    );
    expect(!stray.ok && stray.reason).toMatch(/also via 10\.9\.9\.9/);
  });
});

describe("the kernel's neighbour table (one for all namespaces)", () => {
  const host = (ipv4: number) => ({ routes: [], otherLabs: [], neighbourLimit: { ipv4, ipv6: 1024 } });
  const neighbourErrors = (lab: ReturnType<typeof fabric>, limit: number) =>
    lintLab(lab, host(limit)).filter((i) => i.code === 'host-resources' && i.message.includes('ARP'));

  it('counts the management link, every session end and every gateway', () => {
    // 250 nodes: 2 management entries each, 8 x 242 sessions with an entry at each end
    expect(neighbourEntries(fabric(['spines=8', 'leaves=242']))).toEqual({
      ipv4: 500 + 8 * 242 * 2,
      ipv6: 0,
    });
  });

  it('refuses a fabric the default limit cannot resolve, saying which sysctl to raise', () => {
    const [error] = neighbourErrors(fabric(['spines=8', 'leaves=242']), 1024);
    expect(error.severity).toBe('error');
    expect(error.message).toContain('4372 ARP entries');
    expect(error.hint).toContain('net.ipv4.neigh.default.gc_thresh3=16384');
    expect(neighbourErrors(fabric(['spines=8', 'leaves=242']), 16384)).toEqual([]);
    expect(neighbourErrors(fabric(), 1024)).toEqual([]);
  });

  it("holds only a lab whose provider runs its nodes on this host's kernel to it (the registry says which)", () => {
    // VMs have kernels of their own: the host's table is not theirs
    const onVms = { ...fabric(['spines=8', 'leaves=242']), provider: 'vagrant' };
    expect(neighbourErrors(onVms, 1024)).toEqual([]);
  });
});
