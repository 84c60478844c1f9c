// MetalLB's IPAddressPool addresses: a CIDR (10.0.0.0/24) or a range (10.0.0.10-10.0.0.20), as its
// CRD accepts them; read once here so the speakers, the checks and lint agree on what a pool holds.
import { broadcast, formatIPv4, isIPv4, isPrefix, parseIPv4, parsePrefix } from '../../net/ipv4.js';

export interface PoolRange {
  first: number;
  last: number;
}

/** One entry of a pool, as a range of IPv4 addresses, or why it is none (an IPv6 entry: undefined). */
export function poolRange(text: string): PoolRange | { error: string } | undefined {
  if (text.includes(':')) return undefined; // IPv6: lint says metallb-ipv6-pool
  const dash = text.split('-').map((s) => s.trim());
  if (dash.length === 2) {
    const [a, b] = dash;
    if (!isIPv4(a) || !isIPv4(b)) return { error: `'${text}' is no IPv4 range (expected a.b.c.d-e.f.g.h)` };
    const [first, last] = [parseIPv4(a), parseIPv4(b)];
    if (first > last) return { error: `'${text}' ends before it starts` };
    return { first, last };
  }
  if (!isPrefix(text))
    return { error: `'${text}' is neither an IPv4 prefix (a.b.c.d/len) nor a range (a.b.c.d-e.f.g.h)` };
  try {
    const p = parsePrefix(text);
    return { first: p.network, last: broadcast(p) };
  } catch (e) {
    return { error: (e as Error).message };
  }
}

/** The first address a pool hands out: avoidBuggyIPs skips .0 and .255, which some old clients
 * treat as network or broadcast addresses. */
export function firstUsable(
  pool: { addresses: string[]; avoid_buggy_ips: boolean },
  skip = 0,
): string | undefined {
  let left = skip;
  for (const text of pool.addresses) {
    const r = poolRange(text);
    if (!r || 'error' in r) continue;
    for (let a = r.first; a <= r.last; a++) {
      const low = a & 255;
      if (pool.avoid_buggy_ips && (low === 0 || low === 255)) continue;
      if (left-- === 0) return formatIPv4(a);
    }
  }
  return undefined;
}

/** Whether a prefix holds the whole range (false for a malformed prefix). */
export function rangeWithin(range: PoolRange, prefix: string): boolean {
  const r = poolRange(prefix);
  return !!r && !('error' in r) && r.first <= range.first && range.last <= r.last;
}
