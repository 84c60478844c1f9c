// Addresses of either family as big integers: what routing features (loopbacks, IPv6, originate) need.
import { isIP } from 'node:net';

export type Family = 4 | 6;

export interface Cidr {
  family: Family;
  network: bigint;
  length: number;
}

const BITS: Record<Family, number> = { 4: 32, 6: 128 };

export function familyOf(address: string): Family | undefined {
  const f = isIP(address);
  return f === 4 || f === 6 ? f : undefined;
}

export function parseAddress(text: string): { family: Family; value: bigint } {
  const family = familyOf(text);
  if (!family)
    throw new Error(`'${text}' is not an IP address (a.b.c.d, or an IPv6 address such as 2001:db8::1)`);
  if (family === 4)
    return { family, value: BigInt(text.split('.').reduce((a, o) => a * 256 + Number(o), 0)) };
  // an embedded IPv4 tail (::ffff:1.2.3.4) becomes two groups; :: expands to the missing zero groups
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text)?.[1];
  let t = text;
  if (v4) {
    const n = Number(parseAddress(v4).value);
    t = `${text.slice(0, -v4.length)}${(n >>> 16).toString(16)}:${(n & 0xffff).toString(16)}`;
  }
  const [head, tail] = t.split('::');
  const h = head ? head.split(':') : [];
  const rest = tail === undefined ? [] : tail ? tail.split(':') : [];
  const groups = tail === undefined ? h : [...h, ...Array(8 - h.length - rest.length).fill('0'), ...rest];
  return { family, value: groups.reduce((a, g) => (a << 16n) + BigInt(Number.parseInt(g, 16)), 0n) };
}

export function formatAddress(family: Family, value: bigint): string {
  if (family === 4) return [24n, 16n, 8n, 0n].map((s) => Number((value >> s) & 255n)).join('.');
  const groups = Array.from({ length: 8 }, (_, i) => Number((value >> BigInt(112 - i * 16)) & 0xffffn));
  // RFC 5952: the longest run of two or more zero groups becomes ::
  let best = { start: -1, len: 0 };
  for (let i = 0; i < 8; ) {
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > best.len && j - i >= 2) best = { start: i, len: j - i };
    i = j === i ? i + 1 : j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (best.start < 0) return hex.join(':');
  return `${hex.slice(0, best.start).join(':')}::${hex.slice(best.start + best.len).join(':')}`;
}

function maskOf(family: Family, length: number): bigint {
  const bits = BigInt(BITS[family]);
  return ((1n << bits) - 1n) ^ ((1n << (bits - BigInt(length))) - 1n);
}

/** Parses a prefix of either family; host bits must be zero. */
export function parseCidr(text: string): Cidr {
  const [addr, len, ...rest] = text.split('/');
  const family = familyOf(addr ?? '');
  if (!family || rest.length || !/^\d{1,3}$/.test(len ?? '') || Number(len) > BITS[family])
    throw new Error(`'${text}' is not a prefix (a.b.c.d/len, or an IPv6 prefix such as 2001:db8:1::/64)`);
  const length = Number(len);
  const { value } = parseAddress(addr);
  const network = value & maskOf(family, length);
  if (network !== value)
    throw new Error(`'${text}' has host bits set: the prefix is ${formatAddress(family, network)}/${length}`);
  return { family, network, length };
}

export function cidrContains(c: Cidr, address: string): boolean {
  const a = parseAddress(address);
  return a.family === c.family && (a.value & maskOf(c.family, c.length)) === c.network;
}

/** Whether `inner` lies inside `outer` (same family, longer or equal length). */
export function cidrCovers(outer: Cidr, inner: Cidr): boolean {
  return (
    outer.family === inner.family &&
    inner.length >= outer.length &&
    (inner.network & maskOf(outer.family, outer.length)) === outer.network
  );
}

/** The address `offset` places after the network address. */
export function addressAt(c: Cidr, offset: number): string {
  return formatAddress(c.family, c.network + BigInt(offset));
}

/** The number of addresses in the prefix, capped for IPv6. */
export function cidrSize(c: Cidr): bigint {
  return 1n << BigInt(BITS[c.family] - c.length);
}

/** The prefix an address with a length lies in (host bits cleared): 10.0.0.1/24 is in 10.0.0.0/24. */
export function prefixOf(address: string, length: number): string {
  const { family, value } = parseAddress(address);
  return `${formatAddress(family, value & maskOf(family, length))}/${length}`;
}

export function hostLength(family: Family): number {
  return BITS[family];
}

/** An address or prefix of either family as a prefix (an address is its /32 or /128; host bits are
 * dropped, as routes allow); undefined when it is neither. */
function looseCidr(text: string): Cidr | undefined {
  const [addr, len, ...rest] = text.split('/');
  const family = familyOf(addr ?? '');
  if (!family || rest.length) return undefined;
  if (len !== undefined && (!/^\d{1,3}$/.test(len) || Number(len) > BITS[family])) return undefined;
  const length = len === undefined ? BITS[family] : Number(len);
  return { family, network: parseAddress(addr).value & maskOf(family, length), length };
}

/** Whether `inner` (an address or prefix) lies inside `outer`; false when either is malformed (its own
 * rule reports that). */
export function prefixCovers(outer: string, inner: string): boolean {
  const [o, i] = [looseCidr(outer), looseCidr(inner)];
  return !!o && !!i && cidrCovers(o, i);
}

/** Whether two prefixes (or addresses) share any address; false when either is malformed. */
export function prefixesOverlap(a: string, b: string): boolean {
  const [x, y] = [looseCidr(a), looseCidr(b)];
  return !!x && !!y && (cidrCovers(x, y) || cidrCovers(y, x));
}

/** An IPv6 link-local address (fe80::/10): it means something only with an interface. */
export const isLinkLocal = (a: string) => /^fe[89ab][0-9a-f]:/i.test(a);

/** An IPv6 address in canonical form (fe80::1a:ff:fe00:0), or as written when it is no address. */
export function canonical6(a: string): string {
  try {
    return formatAddress(6, parseAddress(a).value);
  } catch {
    return a;
  }
}
