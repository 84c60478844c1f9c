// The root namespace's routes: what a lab's management prefix must not collide with.
import { readFileSync } from 'node:fs';
import { endianness } from 'node:os';

/** /proc/net/route's hex address (network order read as a host integer) as a dotted quad. */
const BYTES = endianness() === 'LE' ? [6, 4, 2, 0] : [0, 2, 4, 6];
const quad = (hex: string) => BYTES.map((i) => Number.parseInt(hex.slice(i, i + 2), 16)).join('.');
const prefixLength = (hexMask: string) => Number.parseInt(hexMask, 16).toString(2).replace(/0/g, '').length;

/** Prefixes routed in the root namespace's main table, except the default route and the links in
 * `ignoreLinks`. Read from /proc/net/route (the main table's IPv4 routes) rather than by spawning
 * `ip route`: lint and up read it on every run, and a child process cost lint a fork and exec. A multipath
 * route counts as its first next hop's link. */
export async function hostRoutes(ignoreLinks: string[] = []): Promise<string[]> {
  return parseProcRoutes(readFileSync('/proc/net/route', 'utf8'), ignoreLinks);
}

export function parseProcRoutes(text: string, ignoreLinks: string[] = []): string[] {
  const out = new Set<string>();
  for (const line of text.split('\n').slice(1)) {
    const [iface, dst, , , , , , mask] = line.trim().split(/\s+/);
    if (!mask || ignoreLinks.includes(iface)) continue;
    const len = prefixLength(mask);
    if (len === 0) continue; // the default route
    out.add(`${quad(dst)}/${len}`);
  }
  return [...out];
}
