// MetalLB pool entries of both families: what the speakers hold, what lint counts, what the checks expect.
import { describe, expect, it } from 'vitest';
import { seconds, serviceAddresses } from '../../src/addons/metallb/derive.js';
import { firstUsable, poolRange, rangeWithin } from '../../src/addons/metallb/pool-ranges.js';
import type { MetallbConfig } from '../../src/addons/metallb/schema.js';

const pool = (addresses: string[], avoid_buggy_ips = false) => ({ addresses, avoid_buggy_ips });

describe('MetalLB pool ranges', () => {
  it('reads CIDRs and ranges of both families, and says why an entry is neither', () => {
    expect(poolRange('10.0.0.0/30')).toEqual({ family: 4, first: 0x0a000000n, last: 0x0a000003n });
    expect(poolRange('fd00::10-fd00::20')).toMatchObject({ family: 6, first: (0xfd00n << 112n) | 0x10n });
    expect(poolRange('10.0.0.5-fd00::1')).toHaveProperty('error');
    expect(poolRange('fd00::9-fd00::1')).toEqual({ error: "'fd00::9-fd00::1' ends before it starts" });
    expect(poolRange('nonsense')).toHaveProperty('error');
  });

  it('hands out the first address of the family asked, skipping .0/.255 for IPv4 only', () => {
    const p = pool(['172.16.254.0/24', 'fd00:254::/120'], true);
    expect(firstUsable(p, 4)).toBe('172.16.254.1');
    expect(firstUsable(p, 6)).toBe('fd00:254::');
    expect(firstUsable(p, 6, 300)).toBeUndefined();
    expect(firstUsable(pool(['fd00::/64']), 6, 2 ** 40)).toBe('fd00::100:0:0');
    expect(firstUsable(pool(['10.0.0.0/32'], true), 4)).toBeUndefined();
  });

  it('gives the first service one address per family its auto-assign pools hold', () => {
    const addon = {
      pools: [
        { name: 'manual', addresses: ['10.9.9.0/24'], avoid_buggy_ips: false, auto_assign: false },
        { name: 'v4', addresses: ['172.16.1.0/24'], avoid_buggy_ips: true, auto_assign: true },
        { name: 'v6', addresses: ['fd00:1::10-fd00:1::20'], avoid_buggy_ips: false, auto_assign: true },
      ],
      advertisements: [{ name: 'only-v4', pools: ['v4'] }],
      config: 'crds',
    } as unknown as MetallbConfig;
    expect(serviceAddresses(addon)).toEqual(['172.16.1.1', 'fd00:1::10']);
    expect(serviceAddresses(addon, true)).toEqual(['172.16.1.1']);
  });

  it('tells whether a route covers a range, per family', () => {
    const r = poolRange('fd00:254::/120');
    if ('error' in r) throw new Error(r.error);
    expect(rangeWithin(r, 'fd00:254::/64')).toBe(true);
    expect(rangeWithin(r, 'fd00:255::/64')).toBe(false);
    expect(rangeWithin(r, '0.0.0.0/0')).toBe(false);
  });
});

describe("a BGPPeer's timers (Go durations)", () => {
  it('read in whole seconds, any unit Go knows, in any order', () => {
    expect(seconds('90s')).toBe(90);
    expect(seconds('1m30s')).toBe(90);
    expect(seconds('1.5m')).toBe(90);
    expect(seconds('30s1m')).toBe(90);
    expect(seconds('2h')).toBe(7200);
    expect(seconds('1500ms')).toBe(1);
    expect(seconds(undefined)).toBeUndefined();
  });

  it('refuse what Go refuses: no unit, an unknown one, nothing', () => {
    for (const bad of ['90', '90sec', '', 'm', '1.m']) expect(seconds(bad), bad).toBeUndefined();
  });
});
