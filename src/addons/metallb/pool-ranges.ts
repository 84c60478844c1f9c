// MetalLB's IPAddressPool addresses: a CIDR (10.0.0.0/24, fd00::/120) or a range (10.0.0.10-10.0.0.20),
// of either family as its CRD accepts them; read once here so the speakers, the checks and lint agree
// on what a pool holds.
import { type Family, familyOf, formatAddress, hostLength, parseAddress, parseCidr } from '../../net/ip.js';

export interface PoolRange {
  family: Family;
  first: bigint;
  last: bigint;
}

/** One entry of a pool, as a range of addresses of one family, or why it is none. */
export function poolRange(text: string): PoolRange | { error: string } {
  const dash = text.split('-').map((s) => s.trim());
  if (dash.length === 2) {
    const [a, b] = dash;
    const [fa, fb] = [familyOf(a), familyOf(b)];
    if (!fa || fa !== fb)
      return { error: `'${text}' is no range (expected a.b.c.d-e.f.g.h, or two IPv6 addresses of one pool)` };
    const [first, last] = [parseAddress(a).value, parseAddress(b).value];
    if (first > last) return { error: `'${text}' ends before it starts` };
    return { family: fa, first, last };
  }
  if (!text.includes('/'))
    return { error: `'${text}' is neither a prefix (a.b.c.d/len, fd00::/120) nor a range (a.b.c.d-e.f.g.h)` };
  try {
    const p = parseCidr(text);
    const span = (1n << BigInt(hostLength(p.family) - p.length)) - 1n;
    return { family: p.family, first: p.network, last: p.network + span };
  } catch (e) {
    return { error: (e as Error).message };
  }
}

/** The ranges of one family a pool holds (malformed entries left out: lint reports them). */
function rangesOf(addresses: string[], family: Family): PoolRange[] {
  return addresses.map(poolRange).filter((r): r is PoolRange => !('error' in r) && r.family === family);
}

/** Whether a pool holds addresses of a family. */
export function holdsFamily(pool: { addresses: string[] }, family: Family): boolean {
  return rangesOf(pool.addresses, family).length > 0;
}

/** The first address of a family a pool hands out: avoidBuggyIPs skips IPv4's .0 and .255, which some
 * old clients treat as network or broadcast addresses (MetalLB applies it to IPv4 only). */
export function firstUsable(
  pool: { addresses: string[]; avoid_buggy_ips: boolean },
  family: Family = 4,
  skip = 0,
): string | undefined {
  let left = BigInt(skip);
  for (const r of rangesOf(pool.addresses, family)) {
    const buggy = family === 4 && pool.avoid_buggy_ips;
    if (!buggy) {
      // no address skipped inside a range: count, do not walk (an IPv6 /64 holds 2^64)
      if (r.first + left <= r.last) return formatAddress(family, r.first + left);
      left -= r.last - r.first + 1n;
      continue;
    }
    for (let a = r.first; a <= r.last; a++) {
      const low = a & 255n;
      if (low === 0n || low === 255n) continue;
      if (left-- === 0n) return formatAddress(family, a);
    }
  }
  return undefined;
}

/** Whether a prefix holds the whole range (false for a malformed prefix or another family). */
export function rangeWithin(range: PoolRange, prefix: string): boolean {
  const r = poolRange(prefix);
  return !('error' in r) && r.family === range.family && r.first <= range.first && range.last <= r.last;
}
