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
