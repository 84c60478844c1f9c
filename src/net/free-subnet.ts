// Picking a subnet of a pool that overlaps nothing taken, the same one for the same seed: both
// providers' management networks are chosen this way (a lab keeps its prefix from run to run).
import { prefixesOverlap } from './ip.js';
import { formatPrefix, type Prefix, subnetAt } from './ipv4.js';

/** The first /`length` of `pool` that overlaps none of `taken`, searched from a place the seed hashes to. */
export function freeSubnet(pool: Prefix, length: number, seed: string, taken: string[]): string | undefined {
  const count = 2 ** (length - pool.length);
  const start = [...seed].reduce((h, c) => (h * 31 + c.charCodeAt(0)) >>> 0, 7) % count;
  for (let i = 0; i < count; i++) {
    const candidate = formatPrefix(subnetAt(pool, length, (start + i) % count));
    if (!taken.some((t) => prefixesOverlap(t, candidate))) return candidate;
  }
  return undefined;
}
