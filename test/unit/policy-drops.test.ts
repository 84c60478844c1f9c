// Lint policy-drops-checked-route: what a filter decides for one prefix, by prefix only, and the rule
// firing only when every session (or every originator's every export) refuses the checked route.
import { describe, expect, it } from 'vitest';
import { lintLab } from '../../src/lint/index.js';
import { decide } from '../../src/lint/policy-drops.js';
import { loadLabText } from '../../src/model/load.js';
import { resolveLab } from '../../src/model/resolve.js';

describe('decide: a filter and one prefix', () => {
  it('all, none and prefix lists', () => {
    expect(decide('all', '10.1.0.0/24', 'ipv4').verdict).toBe('permit');
    expect(decide('none', '10.1.0.0/24', 'ipv4')).toEqual({ verdict: 'deny', why: 'it is none' });
    expect(decide(['10.1.0.0/24'], '10.1.0.0/24', 'ipv4').verdict).toBe('permit');
    // a list matches exactly, as BIRD's net ~ [ P ] and FRR's prefix-list do
    expect(decide(['10.1.0.0/16'], '10.1.0.0/24', 'ipv4')).toEqual({
      verdict: 'deny',
      why: 'not in its prefix list',
    });
    expect(
      decide({ prefixes: ['10.1.0.0/24'], communities: ['65000:1'] }, '10.1.0.0/24', 'ipv4').verdict,
    ).toBe('maybe');
  });

  it('rules: the first that matches decides (ge/le ranges), a community or AS-path match proves nothing', () => {
    const rules = {
      rules: [
        { action: 'permit' as const, prefix: '10.1.1.0/24' },
        { action: 'deny' as const, prefix: '10.1.0.0/16', le: 24 },
        { action: 'deny' as const, prefix: '2001:db8::/32', le: 64 },
      ],
      default: 'permit' as const,
    };
    expect(decide(rules, '10.1.1.0/24', 'ipv4')).toMatchObject({ verdict: 'permit', rule: ['rules', 0] });
    expect(decide(rules, '10.1.2.0/24', 'ipv4')).toEqual({
      verdict: 'deny',
      rule: ['rules', 1],
      why: 'rule 1 denies it',
    });
    // /25 is longer than le 24: no rule matches, the default permits
    expect(decide(rules, '10.1.2.0/25', 'ipv4').verdict).toBe('permit');
    expect(decide(rules, '2001:db8:1::/48', 'ipv6')).toMatchObject({ verdict: 'deny', rule: ['rules', 2] });
    const tagged = { rules: [{ action: 'deny' as const, community: '65000:1' }], default: 'deny' as const };
    expect(decide(tagged, '10.1.2.0/24', 'ipv4').verdict).toBe('maybe');
    expect(decide({ rules: [], default: 'deny' }, '10.1.2.0/24', 'ipv4')).toEqual({
      verdict: 'deny',
      why: 'no rule matches it and the default is deny',
    });
  });
});

describe('policy-drops-checked-route', () => {
  // r2 learns r1's prefix from r1 and from r3; the check on r2 expects it
  const lab = (r2Import: string, r3Import = 'all') =>
    resolveLab(
      loadLabText(
        `name: t
description: t
networks: { core: { prefix: 10.0.0.0/24 } }
nodes:
  r1: { roles: [bird-router], interfaces: [{ network: core, address: 10.0.0.1 }], bgp: { as: 65001, neighbors: [r2, r3], originate: [10.9.1.0/24], import: none, export: all } }
  r3: { roles: [bird-router], interfaces: [{ network: core, address: 10.0.0.3 }], bgp: { as: 65003, neighbors: [r1, r2], import: ${r3Import}, export: all } }
  r2:
    roles: [frr-router]
    interfaces: [{ network: core, address: 10.0.0.2 }]
    bgp:
      as: 65002
      import: all
      export: none
      neighbors: [{ peer: r1, import: ${r2Import} }, r3]
checks:
  - { name: learned, node: r2, run: x, expect: { bgp_route: { daemon: frr, prefix: 10.9.1.0/24 } } }
`,
        'lab.yaml',
      ),
    ).lab;
  const codes = (l: ReturnType<typeof lab>) =>
    lintLab(l)
      .filter((i) => i.code === 'policy-drops-checked-route')
      .map((i) => i.message);

  it('a deny on one session of two is a choice of path, not a drop', () => {
    expect(codes(lab('none'))).toEqual([]);
  });

  it('every session refusing it is an error at the first refusal', () => {
    const l = lab('none');
    l.nodes.find((n) => n.name === 'r2')!.bgp!.import = {
      rules: [{ action: 'deny', prefix: '10.9.0.0/16', le: 24 }],
      default: 'permit',
    };
    expect(codes(l)).toEqual([
      "r2's import drops 10.9.1.0/24 on every session (r1: it is none; r3: rule 0 denies it), but check learned expects r2 to hold it",
    ]);
  });
});
