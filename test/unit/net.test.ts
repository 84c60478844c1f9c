// Prefix questions lint and providers ask, for both families; malformed input answers false.
import { describe, expect, it } from 'vitest';
import { prefixCovers, prefixesOverlap } from '../../src/net/ip.js';

describe('prefixes', () => {
  it('covers prefixes and addresses inside, not outside', () => {
    expect(prefixCovers('172.16.0.0/16', '172.16.254.0/24')).toBe(true);
    expect(prefixCovers('172.16.254.0/24', '172.16.0.0/16')).toBe(false);
    expect(prefixCovers('10.0.0.0/24', '10.0.0.7')).toBe(true);
    expect(prefixCovers('2001:db8::/32', '2001:db8:1::/64')).toBe(true);
    expect(prefixCovers('10.0.0.0/8', '2001:db8::/32')).toBe(false);
  });

  it('overlaps either way, and across families never', () => {
    expect(prefixesOverlap('198.18.0.0/22', '198.18.2.0/24')).toBe(true);
    expect(prefixesOverlap('198.18.2.0/24', '198.18.0.0/22')).toBe(true);
    expect(prefixesOverlap('198.18.0.0/24', '198.18.1.0/24')).toBe(false);
    expect(prefixesOverlap('::/0', '10.0.0.0/8')).toBe(false);
  });

  it('answers false for what is not a prefix', () => {
    expect(prefixCovers('default', '10.0.0.0/8')).toBe(false);
    expect(prefixesOverlap('10.0.0.0/33', '10.0.0.0/8')).toBe(false);
    expect(prefixesOverlap('banana', '10.0.0.0/8')).toBe(false);
  });
});
