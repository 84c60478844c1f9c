// Judges fail when their selection names nothing, and every kind of expectation has one.
import { describe, expect, it } from 'vitest';
import { interfaceMac, linkLocalOf, linkLocalTowards } from '../../src/core/addressing.js';
import { JUDGES, judge } from '../../src/engine/judges.js';
import { openLab } from '../../src/model/open.js';
import { routerResult } from '../helpers/fake-shell.js';
import { conformanceFile, labFile } from '../helpers/labs.js';

const { lab } = openLab(labFile('bgp-metallb'));
const result = routerResult;
const ROUTE = '172.16.254.1 proto bird metric 32\n\tnexthop via 10.0.0.51 dev eth0 weight 1\n';
const base = lab.checks.find((c) => c.name === 'ecmp-route')!;

describe('judges and empty selections', () => {
  it('a next-hop selector that matches nothing fails instead of passing', () => {
    const check = { ...base, expect: { nexthops: { via: 'wrker' } } };
    expect(judge(lab, check, [result(ROUTE)])).toEqual({
      ok: false,
      reason: expect.stringMatching(/wrker.* names no node/),
    });
  });

  it('a session selector that matches only the checking node fails', () => {
    const check = { ...base, expect: { bgp_established: { daemon: 'bird' as const, peers: 'router' } } };
    expect(judge(lab, check, [result('')]).ok).toBe(false);
  });

  it('a blocks selector that matches nothing fails', () => {
    const check = { ...base, expect: { blocks: { of: 'nobody' } } };
    expect(judge(lab, check, [result(ROUTE)]).ok).toBe(false);
  });

  it('has a judge for every kind of expectation in the schema', async () => {
    const { labJsonSchema } = await import('../../src/model/json-schema.js');
    const schema = JSON.parse(labJsonSchema());
    const kinds = Object.keys(schema.properties.checks.items.properties.expect.properties).sort();
    expect(Object.keys(JUDGES).sort()).toEqual(kinds);
  });
});

describe('nexthops over IPv6', () => {
  // ebgp-leaf-spine: leaf1 reaches spine1 on s1-l1 and spine2 on s2-l1; FRR installs eBGP IPv6 routes
  // via the peers' link-local addresses (containerlab clos02, translated, failed this way)
  const { lab: spine } = openLab(conformanceFile('ebgp-leaf-spine'));
  const leaf1 = spine.nodes.find((n) => n.name === 'leaf1')!;
  const [towardsS1, towardsS2] = leaf1.interfaces.map((i) => i.name);
  const check = { ...spine.checks[0], node: 'leaf1', expect: { nexthops: { via: ['spine1', 'spine2'] } } };
  const route = (...hops: [string, string][]) =>
    `fd00:20:2::/64 nhid 33 proto bgp metric 20 pref medium\n${hops.map(([via, dev]) => `\tnexthop via ${via} dev ${dev} weight 1 \n`).join('')}`;

  it('a link-local hop on the interface towards each peer counts for that peer', () => {
    const out = route(['fe80::1', towardsS1], ['fe80::2', towardsS2]);
    expect(judge(spine, check, [result(out)])).toEqual({ ok: true, detail: '2 next hops' });
  });

  it("a peer's own link-local address (netns derives it from the node's place) counts for it", () => {
    const s1 = spine.nodes.find((n) => n.name === 'spine1')!;
    const s2 = spine.nodes.find((n) => n.name === 'spine2')!;
    const out = route(
      [linkLocalTowards(spine, s1, 's1-l1')!, towardsS1],
      [linkLocalTowards(spine, s2, 's2-l1')!.toUpperCase(), towardsS2],
    );
    expect(judge(spine, check, [result(out)]).ok).toBe(true);
  });

  it("on a shared LAN, another node's link-local address does not stand for the expected peer", () => {
    // route-server: m2 learns m1's prefix; the hop is m1's link-local on ix, the check expects rs1
    const { lab: ix } = openLab(conformanceFile('route-server'));
    const m1 = ix.nodes.find((n) => n.name === 'm1')!;
    const m2 = ix.nodes.find((n) => n.name === 'm2')!;
    const dev = m2.interfaces.find((i) => i.network === 'ix')!.name;
    const out = route([linkLocalTowards(ix, m1, 'ix')!, dev]);
    const onM2 = { ...ix.checks[0], node: 'm2' };
    expect(judge(ix, { ...onM2, expect: { nexthops: { via: 'rs1' } } }, [result(out)])).toEqual({
      ok: false,
      reason: expect.stringMatching(/missing rs1/),
    });
    expect(judge(ix, { ...onM2, expect: { nexthops: { via: 'm1' } } }, [result(out)]).ok).toBe(true);
  });

  it('two hops on one interface do not stand for a peer on another network', () => {
    const out = route(['fe80::1', towardsS1], ['fe80::2', towardsS1]);
    expect(judge(spine, check, [result(out)])).toEqual({
      ok: false,
      reason: expect.stringMatching(/missing spine2/),
    });
  });
});

describe('interface MACs on netns', () => {
  it('give the EUI-64 link-local address the kernel derives', () => {
    expect(interfaceMac(300, 2)).toBe('02:1a:01:2c:02:00');
    expect(linkLocalOf('02:1a:01:2c:02:00')).toBe('fe80::1a:1ff:fe2c:200');
  });
});

describe('a failed command', () => {
  it("is explained by its first line that says something, not birdc's banner", () => {
    const check = { ...base, expect: { bgp_route: { daemon: 'bird' as const, prefix: '10.9.0.0/24' } } };
    const r = { ...result('BIRD 2.0.12 ready.\nNetwork not found\n'), exitCode: 1 };
    expect(judge(lab, check, [r])).toEqual({ ok: false, reason: 'exit 1: Network not found' });
  });
});

describe('nexthops: no path the check did not ask for', () => {
  it('a hop through another node of the lab fails, named', () => {
    const { lab: spine } = openLab(conformanceFile('ebgp-leaf-spine'));
    const check = { ...spine.checks[0], node: 'leaf1', expect: { nexthops: { via: 'spine1' } } };
    const out =
      '10.20.2.0/24 proto bird metric 32\n\tnexthop via 10.2.11.1 dev eth0 weight 1\n\tnexthop via 10.2.21.1 dev eth1 weight 1\n';
    expect(judge(spine, check, [result(out)])).toEqual({
      ok: false,
      reason: expect.stringMatching(/also via spine2 \(10\.2\.21\.1\)/),
    });
    const both = { ...check, expect: { nexthops: { via: ['spine1', 'spine2'] } } };
    expect(judge(spine, both, [result(out)]).ok).toBe(true);
  });
});

describe('BGP unnumbered: link-local next hops and interface peers', () => {
  // outputs as bgp-unnumbered shows them on netns (b: BIRD, f: FRR, one link with link-local addresses only)
  const { lab: un } = openLab(conformanceFile('bgp-unnumbered'));
  const node = (name: string) => un.nodes.find((n) => n.name === name)!;
  const bLl = linkLocalTowards(un, node('b'), 'b-f')!;
  const fLl = linkLocalTowards(un, node('f'), 'b-f')!;
  const on = (name: string, expect: object) => ({ ...un.checks[0], node: name, expect });
  const birdShows = (hop: string, dev = 'eth0') =>
    `BIRD 2.0.12 ready.\nTable master4:\n10.99.2.0/24         unicast [bgp_f 03:13:55.623] * (100) [AS65702i]\n\tvia ${hop} on ${dev}\n\tType: BGP univ\n\tBGP.origin: IGP\n\tBGP.as_path: 65702\n\tBGP.next_hop: :: ${hop}\n\tBGP.med: 0\n\tBGP.local_pref: 100\n`;
  const frrShows = (hop: string) =>
    JSON.stringify({
      prefix: '10.99.1.0/24',
      paths: [
        {
          aspath: { segments: [{ type: 'as-sequence', list: [65701] }] },
          valid: true,
          bestpath: { overall: true, selectionReason: 'First path received' },
          nexthops: [
            { ip: '::', afi: 'ipv6', scope: 'global', accessible: true },
            { ip: hop, afi: 'ipv6', scope: 'link-local', accessible: true, used: true },
          ],
          peer: { peerId: hop, interface: 'eth0', type: 'external' },
        },
      ],
    });
  const bgpRoute = (daemon: 'bird' | 'frr', prefix: string, next_hop: string) => ({
    bgp_route: { daemon, prefix, next_hop },
  });

  it("BIRD's route through the peer's link-local address (global next hop ::) is via that peer", () => {
    const v = judge(un, on('b', bgpRoute('bird', '10.99.2.0/24', 'f')), [result(birdShows(fLl))]);
    expect(v).toEqual({ ok: true, detail: expect.stringContaining(`next hop ${fLl} on eth0`) });
    const wrong = judge(un, on('b', bgpRoute('bird', '10.99.2.0/24', 'c1')), [result(birdShows(fLl))]);
    expect(wrong).toEqual({
      ok: false,
      reason: expect.stringMatching(`next hop is ${fLl}, not an address of c1`),
    });
  });

  it("FRR's route skips the :: global next hop for the link-local one, and names its interface", () => {
    const v = judge(un, on('f', bgpRoute('frr', '10.99.1.0/24', 'b')), [result(frrShows(bLl))]);
    expect(v).toEqual({ ok: true, detail: expect.stringContaining(`next hop ${bLl} on eth0`) });
  });

  it('a link-local hop of no lab node counts for the one node across its interface, not on a LAN', () => {
    const v = judge(un, on('b', bgpRoute('bird', '10.99.2.0/24', 'f')), [result(birdShows('fe80::99'))]);
    expect(v.ok).toBe(true);
    // eth1 is c-b, where c1 is the one other node: the hop is c1's then, not f's
    const other = judge(un, on('b', bgpRoute('bird', '10.99.2.0/24', 'f')), [
      result(birdShows('fe80::99', 'eth1')),
    ]);
    expect(other.ok).toBe(false);
    const { lab: ix } = openLab(conformanceFile('route-server'));
    const lan = { ...ix.checks[0], node: 'm2', expect: bgpRoute('bird', '10.99.2.0/24', 'm1') };
    expect(judge(ix, lan, [result(birdShows('fe80::99'))]).ok).toBe(false);
  });

  it("FRR's interface peer is found under its interface's name in show bgp neighbors json", () => {
    const up = JSON.stringify({ eth0: { bgpNeighborAddr: bLl, bgpState: 'Established' } });
    const established = { bgp_established: { daemon: 'frr' as const, peers: 'b' } };
    expect(judge(un, on('f', established), [result(up)])).toEqual({
      ok: true,
      detail: '1 sessions Established',
    });
    const down = JSON.stringify({ eth0: { bgpNeighborAddr: bLl, bgpState: 'Active' } });
    expect(judge(un, on('f', established), [result(down)])).toEqual({
      ok: false,
      reason: 'not Established: b (eth0): Active',
    });
    expect(judge(un, on('f', established), [result('{}')])).toEqual({
      ok: false,
      reason: 'not Established: b (eth0): no neighbor on this interface',
    });
  });
});
