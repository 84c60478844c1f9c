// BIRD 2: BGP speaker and router. Sessions are protocols named after the peer (birdName).
import { isLinkLocal, parseCidr, prefixCovers } from '../net/ip.js';
import {
  BIRD_ATTRIBUTE,
  birdCommunityLiteral,
  birdShownCommunities,
  type Community,
  community,
} from './communities.js';
import type { Daemon, RouteFacts, Session } from './daemon.js';
import {
  type AttributeSets,
  type Filter,
  hasSets,
  isRulesFilter,
  lengthRange,
  mergedSets,
  type Policy,
  type PrefixMatch,
  policyForFamily,
  toPolicy,
} from './policy.js';

type Family = 'ipv4' | 'ipv6';

/** BIRD identifiers allow letters, digits and underscores, and some words (router) are reserved: prefix them. */
export function birdName(name: string): string {
  return `bgp_${name.replace(/[^A-Za-z0-9_]/g, '_')}`;
}

/** (65000,1) from 65000:1 */
export const birdCommunity = (c: string) => birdCommunityLiteral(community(c));

const familyOfPrefix = (p: string): Family => (parseCidr(p).family === 4 ? 'ipv4' : 'ipv6');

/** A BIRD channel filter for one family from all | none | [prefixes] | { prefixes, communities } |
 * { rules } (a filter block). `guard`: a condition a route must meet before anything else (exports). */
export function birdChannelFilter(
  filter: Filter | undefined,
  family: Family,
  fallback?: 'all',
  opts: { ownAs?: number; sets?: Partial<AttributeSets>; guard?: string; acceptFirst?: string } = {},
): string {
  const f = filter ?? fallback;
  if (f === undefined) throw new Error('a BGP filter is undefined (lint reports ebgp-no-filter)');
  if (isRulesFilter(f) || opts.acceptFirst || (opts.sets && hasSets({ add: [], strip: [], ...opts.sets })))
    return birdPolicyFilter(
      policyForFamily(toPolicy(f, opts.sets), family),
      opts.ownAs ?? 0,
      opts.guard,
      opts.acceptFirst,
    );
  const guarded = (expr: string) =>
    !opts.guard || expr === 'none'
      ? expr
      : expr === 'all'
        ? `where ${opts.guard}`
        : `${expr} && ${opts.guard}`;
  if (typeof f === 'string') return guarded(f);
  const prefixes = Array.isArray(f) ? f : f.prefixes;
  const communities = Array.isArray(f) ? undefined : f.communities;
  const conditions: string[] = [];
  if (prefixes) {
    const own = prefixes.filter((p) => familyOfPrefix(p) === family);
    if (!own.length) return 'none';
    conditions.push(`net ~ [ ${own.join(', ')} ]`);
  }
  if (communities?.length) conditions.push(birdAnyCommunity(communities.map(community)));
  return guarded(conditions.length ? `where ${conditions.join(' && ')}` : 'all');
}

/** The route carries any of these communities (each looked up in its kind's attribute). */
const birdAnyCommunity = (cs: Community[]) =>
  `(${cs.map((c) => `${birdCommunityLiteral(c)} ~ ${BIRD_ATTRIBUTE[c.kind]}`).join(' || ')})`;

function birdPrefix(p: PrefixMatch): string {
  const range = lengthRange(p);
  return range ? `${p.prefix}{${range[0]},${range[1]}}` : p.prefix;
}

function birdSets(s: AttributeSets, ownAs: number): string[] {
  return [
    ...(s.localPref === undefined ? [] : [`bgp_local_pref = ${s.localPref};`]),
    ...(s.med === undefined ? [] : [`bgp_med = ${s.med};`]),
    // private ASes (RFC 6996) out before our own prepends, as FRR's remove-private-AS all
    ...(s.removePrivateAs ? ['bgp_path.delete([64512..65534, 4200000000..4294967294]);'] : []),
    ...Array.from({ length: s.prepend ?? 0 }, () => `bgp_path.prepend(${ownAs});`),
    ...s.strip.map((c) => `${BIRD_ATTRIBUTE[c.kind]}.delete(${birdCommunityLiteral(c)});`),
    ...s.add.map((c) => `${BIRD_ATTRIBUTE[c.kind]}.add(${birdCommunityLiteral(c)});`),
  ];
}

/** A BIRD filter block: the session's sets, then the first rule that matches accepts or rejects. */
export function birdPolicyFilter(
  policy: Policy,
  ownAs: number,
  guard?: string,
  acceptFirst?: string,
): string {
  const lines: string[] = [];
  // a route this session takes whatever the policy says (a default route we originate for it)
  if (acceptFirst) lines.push(`if ${acceptFirst} then accept;`);
  if (guard) lines.push(`if !(${guard}) then reject;`);
  for (const r of policy.rules) {
    const conditions = [
      r.prefixes && `net ~ [ ${r.prefixes.map(birdPrefix).join(', ')} ]`,
      r.communities && birdAnyCommunity(r.communities),
      r.asPathContains !== undefined && `bgp_path ~ [= * ${r.asPathContains} * =]`,
      r.asPathOrigin !== undefined && `bgp_path.last = ${r.asPathOrigin}`,
    ].filter(Boolean);
    const when = conditions.length ? `if ${conditions.join(' && ')} then ` : '';
    const body =
      r.action === 'deny' ? ['reject;'] : [...birdSets(mergedSets(policy.set, r.set), ownAs), 'accept;'];
    lines.push(body.length === 1 ? `${when}${body[0]}` : `${when}{ ${body.join(' ')} }`);
  }
  if (policy.default === 'deny') lines.push('reject;');
  else lines.push(...birdSets(policy.set, ownAs), 'accept;');
  return `filter {\n      ${lines.join('\n      ')}\n    }`;
}

/** birdc show protocols: `Name Proto Table State Since Info`, Info holds the BGP state. */
export function birdSessions(output: string): Map<string, string> {
  const out = new Map<string, string>();
  let info: string | undefined;
  for (const line of output.split('\n')) {
    // Since is a time (02:38:51.777) or, with another timeformat, a date and a time
    const m = /^(\S+)\s+BGP\s+\S+\s+\S+\s+(?:\d{4}-\d\d-\d\d\s+)?\d[\d:.]*\s*(.*)$/.exec(line.trim());
    if (m) {
      info = m[2].trim();
      out.set(m[1], info);
      continue;
    }
    // show protocols all: the session is also known by its neighbor's address (dynamic ones by that only)
    const a = /^\s+Neighbor address:\s+(\S+)/.exec(line);
    if (a && info !== undefined && !out.has(a[1])) out.set(a[1], info);
    if (/^\S/.test(line) && !m) info = undefined;
  }
  return out;
}

/** birdc show route PREFIX all: the best (starred) route's BGP attributes. */
export function birdRoute(output: string): RouteFacts | undefined {
  const lines = output.split('\n');
  const start = lines.findIndex((l) => /\s\*\s/.test(l) && /\[/.test(l));
  if (start < 0) return undefined;
  const block: string[] = [lines[start]];
  for (const l of lines.slice(start + 1)) {
    if (
      /^\S/.test(l) ||
      /^\s{10,}\S+\s+\[/.test(l) ||
      /^\s+(unicast|unreachable|blackhole|prohibited)\s/.test(l)
    )
      break;
    block.push(l);
  }
  const attr = (name: string) =>
    block
      .find((l) => l.trim().startsWith(`${name}:`))
      ?.split(':')
      .slice(1)
      .join(':')
      .trim();
  // BGP.next_hop: the global address, then the link-local one; an unnumbered peer's global one is ::
  const nextHop = (attr('BGP.next_hop') ?? '').split(/\s+/).find((a) => a && a !== '::');
  const via = nextHop && isLinkLocal(nextHop) ? viaInterface(block, nextHop) : undefined;
  return {
    nextHop,
    ...(via ? { nextHopInterface: via } : {}),
    originator: attr('BGP.originator_id'),
    clusterList: (attr('BGP.cluster_list') ?? '').split(/\s+/).filter(Boolean),
    communities: ['BGP.community', 'BGP.large_community', 'BGP.ext_community'].flatMap((a) =>
      birdShownCommunities(attr(a)),
    ),
    localPref: numberOrUndefined(attr('BGP.local_pref')),
    med: numberOrUndefined(attr('BGP.med')),
    asPath: (attr('BGP.as_path') ?? '')
      .split(/\s+/)
      .filter((a) => /^\d+$/.test(a))
      .map(Number),
    // every route of the prefix starts a line of its own with its protocol in brackets
    paths: lines.filter((l) => /^\S*\s+(unicast|unreachable|blackhole|prohibited)?\s*\[/.test(l)).length,
    reachable: !/\bunreachable\b/.test(lines[start]),
  };
}

/** The interface of the route's `via ADDRESS on IFACE` line for this next hop, else of its first. */
function viaInterface(block: string[], hop: string): string | undefined {
  const vias = block.flatMap((l) => {
    const m = /^\s+via\s+(\S+)\s+on\s+(\S+)/.exec(l);
    return m ? [{ address: m[1], dev: m[2] }] : [];
  });
  return (vias.find((v) => v.address.toLowerCase() === hop.toLowerCase()) ?? vias[0])?.dev;
}

const numberOrUndefined = (text: string | undefined) =>
  text && /^\d+$/.test(text) ? Number(text) : undefined;

/** birdc show ospf neighbors: state by router id. */
export function birdOspfNeighbors(output: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const l of output.split('\n')) {
    const m = /^\s*(\d+\.\d+\.\d+\.\d+)\s+\d+\s+(\S+)/.exec(l);
    if (m) out.set(m[1], m[2]);
  }
  return out;
}

/** birdc show bfd sessions: state by peer address. */
export function birdBfdSessions(output: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const l of output.split('\n')) {
    const m = /^\s*([0-9a-fA-F.:]+)\s+\S+\s+(Up|Down|Init|AdminDown)\b/.exec(l);
    if (m?.[1].match(/[.:]/)) out.set(m[1], m[2]);
  }
  return out;
}

export const bird: Daemon = {
  name: 'bird',
  package: 'bird2',
  commands: ['bird', 'birdc'],
  start: {
    name: 'bird',
    run: 'bird -c /etc/bird/bird.conf -P /run/bird/bird.pid',
    runDirs: ['/run/bird'],
    pidfile: '/run/bird/bird.pid',
    program: 'bird',
  },
  validator: { tool: 'bird -p', command: ({ path }) => ['bird', '-p', '-c', path] },
  bgp: {
    showSessions: 'birdc show protocols',
    parseSessions: (output) =>
      new Map(
        [...birdSessions(output)].map(([peer, info]): [string, Session] => [
          peer,
          // the Info column holds the state and, when it is not up, why (Active  Socket: ...)
          { peer, state: info || 'no state shown', established: info.startsWith('Established') },
        ]),
      ),
    // one protocol per session the checking node has with the peer (per family); else the peer's name
    sessionKeys: (self, peer) => {
      const own = self?.bgp?.neighbors.filter((n) => n.node === peer.name).map((n) => n.protocol) ?? [];
      if (own.length) return own;
      // a dynamic session (dyn1, dyn2, ...) is known by its neighbor address: birdc show protocols all
      const range = self?.bgp?.neighborRange;
      const held = peer.interfaces.flatMap((i) => [i.address, i.address6]);
      const dynamic = range ? held.filter((a): a is string => !!a && prefixCovers(range, a)) : [];
      return dynamic.length ? dynamic.slice(0, 1) : [birdName(peer.name)];
    },
  },
  showRoute: (prefix) => `birdc show route for ${prefix} all`,
  routing: {
    parseRoute: birdRoute,
    showOspfNeighbors: 'birdc show ospf neighbors',
    parseOspfNeighbors: birdOspfNeighbors,
    showBfdSessions: 'birdc show bfd sessions',
    parseBfdSessions: birdBfdSessions,
  },
};
