// Judges of routing checks on BIRD and FRR: BGP sessions by FRR, a BGP route and its attributes, OSPF
// adjacencies, BFD sessions. Each daemon (daemons/) reads what its own command shows.
import { linkLocalTowards } from '../core/addressing.js';
import { addressesOf, type Check, type Lab, type Node, nodeByName, selectNodes } from '../core/lab.js';
import type { Expectation } from '../core/schema.js';
import { community } from '../daemons/communities.js';
import type { RouteFacts } from '../daemons/daemon.js';
import { sessionAddresses } from '../daemons/daemon.js';
import { DAEMONS } from '../daemons/index.js';
import { canonical6, isLinkLocal } from '../net/ip.js';
import { fail, pass, peersOf, type Verdict } from './verdict.js';

/**
 * The nodes a link-local next hop seen on `self` stands for: the node whose interface has it on a
 * network `self` is on (netns derives it from the node's place in the lab); else, when it is no lab
 * node's (another provider's MACs), the one other node on the link of the interface it is reached on.
 */
function linkLocalOwner(lab: Lab, self: string, hop: string, dev: string | undefined): Node[] {
  const me = nodeByName(lab, self);
  const networks = me?.interfaces.map((i) => i.network) ?? [];
  const holders = lab.nodes.filter(
    (n) => n !== me && networks.some((net) => linkLocalTowards(lab, n, net) === hop),
  );
  if (holders.length) return holders;
  const network = me?.interfaces.find((i) => i.name === dev)?.network;
  const across = network
    ? lab.nodes.filter((n) => n !== me && n.interfaces.some((i) => i.network === network))
    : [];
  // on a shared LAN an unknown hop could be anyone's
  return across.length === 1 ? across : [];
}

export function judgeBgpRoute(
  lab: Lab,
  check: Check,
  output: string,
  spec: NonNullable<Expectation['bgp_route']>,
): Verdict {
  let route: RouteFacts | undefined;
  try {
    route = DAEMONS[spec.daemon].routing!.parseRoute(output);
  } catch (e) {
    return fail(`cannot read the route (${(e as Error).message})`);
  }
  if (!route) return fail(`no route to ${spec.prefix}`);
  const bad: string[] = [];
  if (!route.reachable) bad.push('its next hop does not resolve (unreachable)');
  // ORIGINATOR_ID is the originator's BGP router id: an address of it, or not (an IPv6-only node's)
  const holds = (selector: string | string[], address: string | undefined, what: string, id = false) => {
    const nodes = [selector].flat().flatMap((s) => selectNodes(lab, s));
    const named = [selector].flat().join(', ');
    const of = (n: Node) => [...addressesOf(n), ...(id && n.bgp ? [n.bgp.routerId] : [])];
    if (!nodes.length) bad.push(`${what}: the selection '${named}' names no node`);
    else if (!address || !nodes.some((n) => of(n).includes(address)))
      bad.push(
        `${what} is ${address ?? 'missing'}, not ${id ? 'the router id or ' : ''}an address of ${named}`,
      );
  };
  if (spec.next_hop) {
    const hop = route.nextHop && isLinkLocal(route.nextHop) ? canonical6(route.nextHop) : route.nextHop;
    const owner = hop && isLinkLocal(hop) ? linkLocalOwner(lab, check.node, hop, route.nextHopInterface) : [];
    const named = [spec.next_hop].flat().flatMap((s) => selectNodes(lab, s));
    // a link-local next hop (an unnumbered session's) stands for the node it belongs to
    if (!owner.some((n) => named.includes(n))) holds(spec.next_hop, hop, 'next hop');
  }
  if (spec.originator) holds(spec.originator, route.originator, 'originator', true);
  if (spec.cluster_list && spec.cluster_list.join(' ') !== route.clusterList.join(' '))
    bad.push(`cluster list is [${route.clusterList.join(', ')}], expected [${spec.cluster_list.join(', ')}]`);
  // communities compare in one form: no-export is 65535:65281 whether BIRD or FRR shows it
  const held = route.communities;
  const missing = [spec.community ?? []].flat().filter((c) => !held.includes(community(c).text));
  if (missing.length) bad.push(`communities are [${held.join(', ')}], without ${missing.join(', ')}`);
  const present = [spec.no_community ?? []].flat().filter((c) => held.includes(community(c).text));
  if (present.length) bad.push(`communities are [${held.join(', ')}], with ${present.join(', ')}`);
  if (spec.local_pref !== undefined && route.localPref !== spec.local_pref)
    bad.push(`local-pref is ${route.localPref ?? 'not shown'}, not ${spec.local_pref}`);
  if (spec.med !== undefined && route.med !== spec.med)
    bad.push(`MED is ${route.med ?? 'not set'}, not ${spec.med}`);
  if (spec.as_path && spec.as_path.join(' ') !== route.asPath.join(' '))
    bad.push(`AS path is [${route.asPath.join(' ')}], not [${spec.as_path.join(' ')}]`);
  if (bad.length) return fail(`${spec.prefix}: ${bad.join('; ')}`);
  const facts = [
    `best of ${route.paths} path${route.paths === 1 ? '' : 's'}${route.reason ? ` (${route.reason})` : ''}`,
    route.nextHop &&
      `next hop ${route.nextHop}${route.nextHopInterface ? ` on ${route.nextHopInterface}` : ''}`,
    route.localPref !== undefined && `local-pref ${route.localPref}`,
    route.med !== undefined && `MED ${route.med}`,
    `AS path [${route.asPath.join(' ')}]`,
    route.originator && `originator ${route.originator}`,
    route.clusterList.length && `cluster list ${route.clusterList.join(' ')}`,
    route.communities.length && `communities ${route.communities.join(' ')}`,
  ].filter(Boolean);
  return pass(`${spec.prefix}: ${facts.join(', ')}`);
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
    states = DAEMONS[spec.daemon].routing!.parseOspfNeighbors(output);
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
    states = DAEMONS[spec.daemon].routing!.parseBfdSessions(output);
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
