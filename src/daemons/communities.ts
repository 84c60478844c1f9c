// BGP communities of the three kinds as the lab file writes them, and as BIRD and FRR write and show them:
// standard 65000:1 (or a well-known name), large 65000:0:1, extended rt:65000:1 / soo:65000:1.

export type CommunityKind = 'standard' | 'large' | 'extended';

export interface Community {
  kind: CommunityKind;
  /** Numbers (standard, large), or [rt|soo, asn, value] for an extended one. */
  parts: (number | string)[];
  /** The canonical lab form: well-known names become their numbers (65535:65281). */
  text: string;
}

/** RFC 1997 and RFC 8326 well-known communities by the names labs (and FRR's config) give them. */
export const WELL_KNOWN: Record<string, string> = {
  'no-export': '65535:65281',
  'no-advertise': '65535:65282',
  'local-as': '65535:65283',
  'no-export-subconfed': '65535:65283',
  blackhole: '65535:666',
  'graceful-shutdown': '65535:0',
  'no-peer': '65535:65284',
};

/** FRR's JSON names them in camel case (noExport): back to numbers. */
const FRR_NAMES: Record<string, string> = {
  noExport: '65535:65281',
  noAdvertise: '65535:65282',
  localAs: '65535:65283',
  blackhole: '65535:666',
  gshut: '65535:0',
  noPeer: '65535:65284',
  'no-export': '65535:65281',
  'no-advertise': '65535:65282',
  'local-AS': '65535:65283',
};

const U16 = 65535;
const U32 = 4294967295;
const inRange = (v: number, max: number) => Number.isInteger(v) && v >= 0 && v <= max;

/** The community a lab string means, or a sentence saying why it is none. */
export function parseCommunity(text: string): Community | string {
  const known = WELL_KNOWN[text];
  if (known) return parseCommunity(known);
  const parts = text.split(':');
  if (parts.length === 2 && parts.every((p) => /^\d+$/.test(p))) {
    const [a, b] = parts.map(Number);
    if (!inRange(a, U16) || !inRange(b, U16))
      return `'${text}': each half of a standard community is 0-65535`;
    return { kind: 'standard', parts: [a, b], text: `${a}:${b}` };
  }
  if (parts.length === 3 && parts.every((p) => /^\d+$/.test(p))) {
    const n = parts.map(Number);
    if (!n.every((v) => inRange(v, U32))) return `'${text}': each part of a large community is 0-4294967295`;
    return { kind: 'large', parts: n, text: n.join(':') };
  }
  if (
    parts.length === 3 &&
    /^(rt|soo)$/i.test(parts[0]) &&
    /^\d+$/.test(parts[1]) &&
    /^\d+$/.test(parts[2])
  ) {
    const [asn, value] = [Number(parts[1]), Number(parts[2])];
    // two octets of ASN and four of value, or four and two (RFC 4360, RFC 5668)
    if (!((asn <= U16 && inRange(value, U32)) || (inRange(asn, U32) && value <= U16)))
      return `'${text}': an extended community is ASN:VALUE with a 2-byte ASN and 4-byte value, or the reverse`;
    const type = parts[0].toLowerCase();
    return { kind: 'extended', parts: [type, asn, value], text: `${type}:${asn}:${value}` };
  }
  return `'${text}' is no community: give 65000:1 (standard), 65000:0:1 (large), rt:65000:1 or soo:65000:1 (extended), or no-export, no-advertise, local-as, blackhole, graceful-shutdown`;
}

/** A community known to be valid (the schema checked it). */
export function community(text: string): Community {
  const c = parseCommunity(text);
  if (typeof c === 'string') throw new Error(c);
  return c;
}

/** BIRD's literal: (65000,1), (65000,0,1), (rt,65000,1); BIRD calls site-of-origin `ro` (route origin). */
export function birdCommunityLiteral(c: Community): string {
  return `(${c.parts.map((p) => (p === 'soo' ? 'ro' : p)).join(',')})`;
}

/** BIRD's attribute holding communities of the kind. */
export const BIRD_ATTRIBUTE: Record<CommunityKind, string> = {
  standard: 'bgp_community',
  large: 'bgp_large_community',
  extended: 'bgp_ext_community',
};

/** FRR's word for one: 65000:1, 65000:0:1, rt 65000:1. */
export function frrCommunityWord(c: Community): string {
  return c.kind === 'extended' ? `${c.parts[0]} ${c.parts[1]}:${c.parts[2]}` : c.text;
}

/** The lab form of what BIRD shows: (65000,1) (65000, 0, 1) (rt, 65000, 1), one attribute's line. */
export function birdShownCommunities(line: string | undefined): string[] {
  return [...(line ?? '').matchAll(/\(([^()]*)\)/g)].map((m) =>
    m[1]
      .split(',')
      .map((p) => p.trim().toLowerCase())
      .map((p) => (p === 'ro' ? 'soo' : p))
      .join(':'),
  );
}

/** The lab form of what FRR's JSON shows: noExport, 65000:1; 65000:0:1; RT:65000:1 SoO:65000:2. */
export function frrShownCommunity(word: string): string {
  const named = FRR_NAMES[word];
  if (named) return named;
  const ext = /^(RT|SoO):(.*)$/i.exec(word);
  return ext ? `${ext[1].toLowerCase()}:${ext[2]}` : word;
}
