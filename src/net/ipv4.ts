// Small, exact IPv4 arithmetic: addresses as unsigned 32-bit integers.

export interface Prefix {
  network: number;
  length: number;
}

const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

export function isIPv4(text: string): boolean {
  const m = IPV4.exec(text);
  return !!m && m.slice(1).every((o) => Number(o) <= 255 && String(Number(o)) === o);
}

export function parseIPv4(text: string): number {
  if (!isIPv4(text)) throw new Error(`'${text}' is not an IPv4 address (expected a.b.c.d)`);
  return text.split('.').reduce((acc, o) => acc * 256 + Number(o), 0);
}

export function formatIPv4(value: number): string {
  return [24, 16, 8, 0].map((s) => (value >>> s) & 255).join('.');
}

export function isPrefix(text: string): boolean {
  const [addr, len, ...rest] = text.split('/');
  return rest.length === 0 && isIPv4(addr) && /^\d{1,2}$/.test(len ?? '') && Number(len) <= 32;
}

function mask(length: number): number {
  return length === 0 ? 0 : (0xffffffff << (32 - length)) >>> 0;
}

/** Parses a.b.c.d/len; host bits must be zero (10.0.0.1/24 is an address, not a prefix). */
export function parsePrefix(text: string): Prefix {
  if (!isPrefix(text)) throw new Error(`'${text}' is not an IPv4 prefix (expected a.b.c.d/len)`);
  const [addr, len] = text.split('/');
  const length = Number(len);
  const value = parseIPv4(addr);
  const network = (value & mask(length)) >>> 0;
  if (network !== value)
    throw new Error(`'${text}' has host bits set: the prefix is ${formatIPv4(network)}/${length}`);
  return { network, length };
}

export function formatPrefix(p: Prefix): string {
  return `${formatIPv4(p.network)}/${p.length}`;
}

export function broadcast(p: Prefix): number {
  return (p.network | (~mask(p.length) >>> 0)) >>> 0;
}

export function containsAddress(p: Prefix, address: number): boolean {
  return (address & mask(p.length)) >>> 0 === p.network;
}

/** The address `offset` places after the network address (offset 1 is the first host). */
export function hostAt(p: Prefix, offset: number): number {
  return (p.network + offset) >>> 0;
}

/** The n-th subnet of the given length inside p. */
export function subnetAt(p: Prefix, length: number, n: number): Prefix {
  return { network: (p.network + n * 2 ** (32 - length)) >>> 0, length };
}

export function size(p: Prefix): number {
  return 2 ** (32 - p.length);
}
