// Judges of routing checks on BIRD and FRR: BGP sessions by FRR, a BGP route and its attributes, OSPF
// adjacencies, BFD sessions. Each parses what the daemon's own command shows (FRR: its JSON).
import { addressesOf, type Check, type Lab, type Node, nodeByName, selectNodes } from '../core/lab.js';
import { sessionAddresses } from '../daemons/daemon.js';
import { parseJson } from '../daemons/frr.js';
import type { Expectation } from '../model/schema.js';

export type Verdict = { ok: true; detail?: string } | { ok: false; reason: string };
const pass = (detail?: string): Verdict => ({ ok: true, detail });
const fail = (reason: string): Verdict => ({ ok: false, reason });

function peersOf(lab: Lab, selectors: string | string[], self: string): Node[] {
  return [selectors]
    .flat()
    .flatMap((s) => selectNodes(lab, s))
    .filter((n) => n.name !== self);
}

export interface RouteFacts {
  /** The BGP NEXT_HOP attribute. */
  nextHop?: string;
  originator?: string;
  clusterList: string[];
  communities: string[];
  /** The route is usable: its next hop resolves. */
  reachable: boolean;
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
  return {
    nextHop: attr('BGP.next_hop')?.split(/\s+/)[0],
    originator: attr('BGP.originator_id'),
    clusterList: (attr('BGP.cluster_list') ?? '').split(/\s+/).filter(Boolean),
    communities: [...(attr('BGP.community') ?? '').matchAll(/\((\d+),(\d+)\)/g)].map(
      (m) => `${m[1]}:${m[2]}`,
    ),
    reachable: !/\bunreachable\b/.test(lines[start]),
  };
}

interface FrrPath {
  bestpath?: { overall?: boolean };
  valid?: boolean;
  originatorId?: string;
  clusterList?: { list?: string[] };
  community?: { list?: string[]; string?: string };
  nexthops?: { ip?: string; accessible?: boolean }[];
}

/** vtysh show bgp ipv4 unicast PREFIX json: the best path's attributes. */
export function frrRoute(output: string): RouteFacts | undefined {
  const data = parseJson(output) as { paths?: FrrPath[] };
  const paths = data.paths ?? [];
  const best = paths.find((p) => p.bestpath?.overall) ?? paths[0];
  if (!best) return undefined;
  return {
    nextHop: best.nexthops?.[0]?.ip,
    originator: best.originatorId,
    clusterList: best.clusterList?.list ?? [],
    communities: best.community?.list ?? best.community?.string?.split(' ') ?? [],
    reachable: best.valid !== false && best.nexthops?.some((n) => n.accessible !== false) !== false,
  };
}

export function judgeBgpRoute(
  lab: Lab,
  _check: Check,
  output: string,
  spec: NonNullable<Expectation['bgp_route']>,
): Verdict {
  let route: RouteFacts | undefined;
  try {
    route = spec.daemon === 'bird' ? birdRoute(output) : frrRoute(output);
  } catch (e) {
    return fail(`cannot read the route (${(e as Error).message})`);
  }
  if (!route) return fail(`no route to ${spec.prefix}`);
  const bad: string[] = [];
  if (!route.reachable) bad.push('its next hop does not resolve (unreachable)');
  const holds = (selector: string | string[], address: string | undefined, what: string) => {
    const nodes = [selector].flat().flatMap((s) => selectNodes(lab, s));
    const named = [selector].flat().join(', ');
    if (!nodes.length) bad.push(`${what}: the selection '${named}' names no node`);
    else if (!address || !nodes.some((n) => addressesOf(n).includes(address)))
      bad.push(`${what} is ${address ?? 'missing'}, not an address of ${named}`);
  };
  if (spec.next_hop) holds(spec.next_hop, route.nextHop, 'next hop');
  if (spec.originator) holds(spec.originator, route.originator, 'originator');
  if (spec.cluster_list && spec.cluster_list.join(' ') !== route.clusterList.join(' '))
    bad.push(`cluster list is [${route.clusterList.join(', ')}], expected [${spec.cluster_list.join(', ')}]`);
  if (spec.community && !route.communities.includes(spec.community))
    bad.push(`communities are [${route.communities.join(', ')}], without ${spec.community}`);
  if (bad.length) return fail(`${spec.prefix}: ${bad.join('; ')}`);
  const facts = [
    route.nextHop && `next hop ${route.nextHop}`,
    route.originator && `originator ${route.originator}`,
    route.clusterList.length && `cluster list ${route.clusterList.join(' ')}`,
    route.communities.length && `communities ${route.communities.join(' ')}`,
  ].filter(Boolean);
  return pass(`${spec.prefix}: ${facts.join(', ')}`);
}

/** birdc show ospf neighbors: state by router id. */
export function birdOspfNeighbors(output: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const l of output.split('\n')) {
    const m = /^\s*(\d+\.\d+\.\d+\.\d+)\s+\d+\s+(\S+)/.exec(l);
    if (m) out.set(m[1], m[2]);
  }
  return out;
}

/** vtysh show ip ospf neighbor json (or show ipv6 ospf6 neighbor json): state by router id. */
export function frrOspfNeighbors(output: string): Map<string, string> {
  const data = parseJson(output) as { neighbors?: unknown };
  const out = new Map<string, string>();
  const n = data.neighbors;
  if (Array.isArray(n)) {
    for (const x of n as { neighborId?: string; state?: string }[])
      if (x.neighborId && x.state) out.set(x.neighborId, x.state);
  } else if (n && typeof n === 'object') {
    for (const [rid, list] of Object.entries(n as Record<string, { nbrState?: string; state?: string }[]>)) {
      const x = [list].flat()[0];
      const state = x?.nbrState ?? x?.state;
      if (state) out.set(rid, state);
    }
  }
  return out;
}

/** Full, or 2-Way between two routers that are neither DR nor BDR (their stable state on a LAN). */
const adjacent = (state: string) => /^Full/i.test(state) || /^2-?Way\/(DROther|Other)/i.test(state);

export function judgeOspf(
  lab: Lab,
  check: Check,
  output: string,
  spec: NonNullable<Expectation['ospf_full']>,
): Verdict {
  const peers = peersOf(lab, spec.peers, check.node);
  if (!peers.length) return fail(`the selection ${JSON.stringify(spec.peers)} names no node`);
  let states: Map<string, string>;
  try {
    states = spec.daemon === 'bird' ? birdOspfNeighbors(output) : frrOspfNeighbors(output);
  } catch (e) {
    return fail(`cannot read the neighbors (${(e as Error).message})`);
  }
  const bad: string[] = [];
  for (const p of peers) {
    if (!p.ospf) {
      bad.push(`${p.name}: runs no OSPF`);
      continue;
    }
    const state = states.get(p.ospf.routerId);
    if (!state || !adjacent(state)) bad.push(`${p.name} (${p.ospf.routerId}): ${state ?? 'no neighbor'}`);
  }
  return bad.length ? fail(`not adjacent: ${bad.join(', ')}`) : pass(`${peers.length} adjacencies Full`);
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

/** vtysh show bfd peers json: status by peer address. */
export function frrBfdPeers(output: string): Map<string, string> {
  const data = parseJson(output) as { peer?: string; status?: string }[];
  const out = new Map<string, string>();
  for (const p of [data].flat()) if (p?.peer && p.status) out.set(p.peer, p.status);
  return out;
}

export function judgeBfd(
  lab: Lab,
  check: Check,
  output: string,
  spec: NonNullable<Expectation['bfd_up']>,
): Verdict {
  const self = nodeByName(lab, check.node);
  const peers = peersOf(lab, spec.peers, check.node);
  if (!peers.length) return fail(`the selection ${JSON.stringify(spec.peers)} names no node`);
  let states: Map<string, string>;
  try {
    states = spec.daemon === 'bird' ? birdBfdSessions(output) : frrBfdPeers(output);
  } catch (e) {
    return fail(`cannot read the BFD sessions (${(e as Error).message})`);
  }
  const bad: string[] = [];
  let count = 0;
  for (const p of peers)
    for (const a of sessionAddresses(self, p)) {
      count++;
      const state = states.get(a);
      if (state?.toLowerCase() !== 'up') bad.push(`${p.name} (${a}): ${state ?? 'no BFD session'}`);
    }
  return bad.length ? fail(`BFD not up: ${bad.join(', ')}`) : pass(`${count} BFD sessions up`);
}
