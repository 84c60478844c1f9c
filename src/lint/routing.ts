// Routing traps lint must catch before up: fields no role renders, sessions with no address or no route,
// iBGP next hops nobody can resolve, static routes given twice, prefixes originated to no session.

import type { Rule } from '../contracts/lint.js';
import { dynamicRange } from '../core/addressing.js';
import type { Issue, Path } from '../core/issue.js';
import { issue } from '../core/issue.js';
import {
  addressesOf,
  type Lab,
  loopbackCidr,
  loopbackPrefix,
  type Node,
  networkByName,
  nodeByName,
  selectNodes,
} from '../core/lab.js';
import type { Filter } from '../core/schema.js';
import { community } from '../daemons/communities.js';
import { isRulesFilter } from '../daemons/policy.js';
import { cidrContains, parseCidr, prefixesOverlap } from '../net/ip.js';
import { gatewayRoutes } from '../net/static-routes.js';
import { ROLES } from '../roles/index.js';

/** The routing fields a node's definition sets, each with its path (defaults left out). */
function fieldsSet(def: Lab['raw']['nodes'][string], base: Path): { field: string; path: Path }[] {
  const out: { field: string; path: Path }[] = [];
  if (def.ospf) out.push({ field: 'ospf', path: [...base, 'ospf'] });
  const bgp = def.bgp;
  if (!bgp) return out;
  for (const [key, value] of Object.entries(bgp)) {
    const unset =
      value === undefined ||
      (Array.isArray(value) && value.length === 0) ||
      (key === 'advertise_loopback' && value === true);
    if (!unset) out.push({ field: `bgp.${key}`, path: [...base, 'bgp', key] });
  }
  bgp.neighbors.forEach((n, i) => {
    if (typeof n === 'string') return;
    for (const [key, value] of Object.entries(n))
      if (value !== undefined && key !== 'peer')
        out.push({ field: `bgp.neighbors.${key}`, path: [...base, 'bgp', 'neighbors', i, key] });
  });
  return out;
}

/**
 * rs_client means something on an eBGP session only: towards an iBGP peer BIRD refuses to start
 * ("Only external neighbor can be RS client") and FRR ignores it. (rr_client: model/routing.ts.)
 */
function misplacedRsClient(lab: Lab): Issue[] {
  const out: Issue[] = [];
  for (const node of lab.nodes) {
    const bgp = node.bgp;
    if (bgp?.source !== 'lab') continue;
    const seen = new Set<string>();
    for (const n of bgp.neighbors) {
      const raw = lab.raw.nodes[node.group ?? node.name]?.bgp?.neighbors[Number(n.path.at(-1))];
      if (!n.node || typeof raw !== 'object' || seen.has(`${n.path.join('.')}/${n.node}`)) continue;
      seen.add(`${n.path.join('.')}/${n.node}`);
      if (raw.rs_client && n.ibgp)
        out.push(
          issue(
            'field-ignored',
            [...n.path, 'rs_client'],
            `rs_client on ${node.name}'s session with ${n.node}: an iBGP peer (both in AS ${bgp.as})`,
            'a route server serves eBGP peers only (BIRD refuses to start, FRR ignores it): drop the field, or give the peer its own AS',
          ),
        );
    }
  }
  return out;
}

/** A field the node's roles do not render would be accepted and ignored: refuse it. */
function ignoredFields(lab: Lab): Issue[] {
  const out: Issue[] = [];
  for (const [name, def] of Object.entries(lab.raw.nodes)) {
    const roles = def.roles.map((r) => ROLES[r]).filter(Boolean);
    const honoured = new Set(roles.flatMap((r) => r.honours ?? []));
    const speaksBgp = [...honoured].some((f) => f.startsWith('bgp.'));
    if (def.bgp && !speaksBgp) {
      out.push(
        issue(
          'field-ignored',
          ['nodes', name, 'bgp'],
          `${name} has a bgp section, but none of its roles (${def.roles.join(', ') || 'none'}) speaks BGP from the lab file`,
          'no session would start and its peers stay in Active: add bird-router or frr-router to its roles, or drop the section',
        ),
      );
    }
    for (const { field, path } of fieldsSet(def, ['nodes', name])) {
      if (field.startsWith('bgp.') && !speaksBgp) continue;
      if (honoured.has(field)) continue;
      const speakers = Object.values(ROLES)
        .filter((r) => r.honours?.includes(field))
        .map((r) => r.name);
      out.push(
        issue(
          'field-ignored',
          path,
          `${field} on ${name}: none of its roles (${def.roles.join(', ') || 'none'}) renders it`,
          `it would be accepted and silently ignored${speakers.length ? `: give the node a role that honours it (${speakers.join(', ')})` : ''}, or drop the field`,
        ),
      );
    }
  }
  return out;
}

/** Whether `node` has a route to `address`: connected, a static route (default too), or OSPF on both ends. */
export function routesTo(lab: Lab, node: Node, address: string, peer?: Node): boolean {
  const onLink = node.interfaces.some((i) => {
    const net = networkByName(lab, i.network);
    return [net?.prefix, net?.prefix6].some((p) => p && prefixHolds(p, address));
  });
  if (onLink) return true;
  const v6 = address.includes(':');
  const statics = gatewayRoutes(node.routes).some((r) =>
    r.to === 'default' ? r.via.includes(':') === v6 : prefixHolds(r.to, address),
  );
  if (statics) return true;
  // OSPF carries the peer's loopback and the networks it runs on (IPv6 only with OSPFv3)
  if (node.ospf && peer?.ospf && (!v6 || (node.ospf.ipv6 && peer.ospf.ipv6))) {
    if (!v6 && peer.ospf.interfaces.some((i) => i.prefix && prefixHolds(i.prefix, address))) return true;
    if (v6 && addressesOf(peer).includes(address)) return true;
  }
  return false;
}

function prefixHolds(prefix: string, address: string): boolean {
  try {
    return cidrContains(parseCidr(prefix), address);
  } catch {
    return false;
  }
}

const emulated = (node: Node) => node.roles.every((r) => ROLES[r]?.emulated !== false);

/** Sessions that cross routers need a route to the peer's address (in the emulated lab, nothing adds one). */
function unreachablePeers(lab: Lab): Issue[] {
  const out: Issue[] = [];
  for (const node of lab.nodes) {
    if (node.bgp?.source !== 'lab' || !emulated(node)) continue;
    for (const n of node.bgp.neighbors) {
      const peer = n.node ? nodeByName(lab, n.node) : undefined;
      if (!n.multihop || !peer) continue;
      if (routesTo(lab, node, n.address, peer)) continue;
      // iBGP goes between loopbacks by default: on a shared network, the way out is to say so
      const peerNets = new Set(peer.interfaces.map((i) => i.network));
      const shared = node.interfaces.find((i) => peerNets.has(i.network))?.network;
      out.push(
        issue(
          'bgp-peer-unreachable',
          n.path,
          shared
            ? `${node.name} peers with ${peer.name} at its loopback ${n.address} (iBGP between loopbacks is the default when both have one), which it has no route to`
            : `${node.name} peers with ${peer.name} at ${n.address}, which it shares no network with and has no route to`,
          shared
            ? `the session stays in Connect/Active: peer over ${shared}, which both are on ({ peer: ${peer.name}, session: interface } here and the same on ${peer.name}), or run OSPF on both (ospf: {}) to carry the loopbacks`
            : 'the session stays in Connect/Active: run OSPF on both (ospf: {}), add a static route, or peer over a shared network',
        ),
      );
    }
  }
  return out;
}

/**
 * iBGP does not change next hops: routes a node learns over eBGP reach its iBGP peers with the eBGP
 * peer's address as next hop. A peer that cannot resolve it installs nothing.
 */
function unresolvableNextHops(lab: Lab): Issue[] {
  const out: Issue[] = [];
  for (const node of lab.nodes) {
    const bgp = node.bgp;
    if (bgp?.source !== 'lab' || bgp.import === 'none') continue;
    const external = bgp.neighbors.filter((n) => !n.ibgp && n.node);
    for (const inner of bgp.neighbors.filter((n) => n.ibgp && !n.nextHopSelf && n.node)) {
      const peer = nodeByName(lab, inner.node!);
      if (!peer) continue;
      // a session carries its own family's routes only: IPv4 ones learned over eBGP never reach an
      // IPv6-only iBGP session (netlab's bgp/20-dual-stack-activate)
      const family = inner.family ?? 'ipv4';
      const lost = external.filter(
        (e) => (e.family ?? 'ipv4') === family && !routesTo(lab, peer, e.address, node),
      );
      if (!lost.length) continue;
      out.push(
        issue(
          'ibgp-next-hop',
          inner.path,
          `routes ${node.name} learns from ${lost.map((e) => `${e.node} (${e.address})`).join(', ')} reach ${peer.name} over iBGP with that next hop, which ${peer.name} has no route to`,
          `${peer.name} keeps them unreachable and forwards nothing: set next_hop_self on ${node.name}'s session to ${peer.name} ({ peer: ${peer.name}, next_hop_self: true }), or carry the external network in OSPF (passive)`,
        ),
      );
    }
  }
  return out;
}

/**
 * A route server passes each client's routes to the others with the next hop unchanged (that is what
 * rs_client means): a client that cannot reach another client's address installs its routes as
 * unreachable (FRR: inaccessible; BIRD drops an eBGP next hop that is no neighbor). On an exchange every
 * client shares the LAN; one behind another network does not.
 */
const onLink = (lab: Lab, node: Node, address: string) =>
  node.interfaces.some((i) => {
    const net = networkByName(lab, i.network);
    return [net?.prefix, net?.prefix6].some((p) => p && prefixHolds(p, address));
  });

function routeServerNextHops(lab: Lab): Issue[] {
  const out: Issue[] = [];
  for (const node of lab.nodes) {
    const bgp = node.bgp;
    if (bgp?.source !== 'lab') continue;
    const clients = bgp.neighbors.filter((n) => n.rsClient && !n.ibgp && n.node);
    for (const to of clients) {
      const peer = nodeByName(lab, to.node!);
      if (!peer || peer.bgp?.import === 'none') continue;
      const lost = clients.filter(
        (from) =>
          from.node !== to.node &&
          from.family === to.family &&
          nodeByName(lab, from.node!)?.bgp?.export !== 'none' &&
          // a single-hop eBGP next hop must be on a connected network (FRR's connected check, BIRD's
          // gateway direct): a static or BGP route to it does not do
          !(to.multihop ? routesTo(lab, peer, from.address) : onLink(lab, peer, from.address)),
      );
      if (!lost.length) continue;
      out.push(
        issue(
          'rs-next-hop',
          to.path,
          `${node.name} passes routes of ${lost.map((e) => `${e.node} (${e.address})`).join(', ')} to its route-server client ${peer.name} with that next hop unchanged, on no network of ${peer.name}'s`,
          `${peer.name} holds them as unreachable and forwards nothing: put the clients on one network (an exchange LAN), or drop rs_client for ${peer.name} (the server is then its next hop)`,
        ),
      );
    }
  }
  return out;
}

/**
 * Router ids must differ where they meet: two OSPF routers with one id break the area's database
 * (neither adjacency nor routes), and an iBGP peer whose BGP identifier is ours is refused (bad BGP
 * identifier). eBGP peers may share one (RFC 6286). Ids default to the loopback or first address, so
 * an explicit router_id copied from another node is the usual cause.
 */
const bothHold = (a: Node, b: Node, address: string) =>
  addressesOf(a).includes(address) && addressesOf(b).includes(address);

function duplicateRouterIds(lab: Lab): Issue[] {
  const out: Issue[] = [];
  const ospfOwner = new Map<string, Node>();
  for (const node of lab.nodes) {
    if (!node.ospf || !emulated(node)) continue;
    const id = node.ospf.routerId;
    const other = ospfOwner.get(id);
    // an address both hold (a group's one loopback) is address-duplicate's to report
    if (other && !bothHold(node, other, id))
      out.push(
        issue(
          'router-id-duplicate',
          lab.raw.nodes[node.name]?.ospf?.router_id ? [...node.ospf.path, 'router_id'] : node.ospf.path,
          `${node.name} and ${other.name} both run OSPF with router id ${id}`,
          'OSPF takes them for one router: no adjacency forms between them and their routes flap or vanish; give each node its own router_id (or its own loopback)',
        ),
      );
    else ospfOwner.set(id, node);
  }
  for (const node of lab.nodes) {
    const bgp = node.bgp;
    if (bgp?.source !== 'lab') continue;
    for (const n of bgp.neighbors) {
      const peer = n.node ? nodeByName(lab, n.node) : undefined;
      if (!n.ibgp || !peer?.bgp || peer.bgp.routerId !== bgp.routerId || node.name > peer.name) continue;
      if (bothHold(node, peer, bgp.routerId)) continue;
      out.push(
        issue(
          'router-id-duplicate',
          n.path,
          `${node.name} and its iBGP peer ${peer.name} have one BGP router id, ${bgp.routerId}`,
          'the peer is refused with "bad BGP identifier" and the session never comes up: give each node its own bgp.router_id (or its own loopback)',
        ),
      );
    }
  }
  return out;
}

/**
 * OSPF forms adjacencies only between interfaces in one area: routers that run OSPF (not passive) on
 * one network in different areas never become neighbors, and the network joins nothing.
 */
const areaNumber = (a: string) =>
  a.includes('.') ? a.split('.').reduce((v, o) => v * 256 + Number(o), 0) : Number(a);

function ospfAreaMismatch(lab: Lab): Issue[] {
  const out: Issue[] = [];
  const first = new Map<string, { node: Node; area: string }>();
  for (const node of lab.nodes) {
    if (!node.ospf || !emulated(node)) continue;
    for (const i of node.ospf.interfaces) {
      if (!i.network || i.passive) continue;
      const seen = first.get(i.network);
      if (!seen) first.set(i.network, { node, area: i.area });
      else if (areaNumber(seen.area) !== areaNumber(i.area))
        out.push(
          issue(
            'ospf-area-mismatch',
            node.ospf.path,
            `${node.name} runs OSPF on ${i.network} in area ${i.area}, ${seen.node.name} in area ${seen.area}`,
            `no adjacency forms across ${i.network} (hellos of another area are dropped): put both interfaces in one area (ospf.area, or networks: [{ network: ${i.network}, area: ... }])`,
          ),
        );
    }
  }
  return out;
}

/**
 * A session carries its own family only (IPv4 NLRI over IPv4, IPv6 over IPv6): an originated prefix of
 * a family none of the node's sessions (nor its neighbor range) speaks is accepted, rendered and sent to
 * no one. Loopbacks announced by default are left out (a dual-stack loopback on an IPv4-only router is
 * normal); the originate list is what the author asked to announce.
 */
function unannouncedOriginates(lab: Lab): Issue[] {
  const out: Issue[] = [];
  const seen = new Set<string>();
  for (const node of lab.nodes) {
    const bgp = node.bgp;
    if (bgp?.source !== 'lab') continue;
    const list = lab.raw.nodes[node.group ?? node.name]?.bgp?.originate ?? [];
    // an unnumbered session carries both families
    const families = new Set(
      bgp.neighbors.flatMap((n) => (n.interface ? ['ipv4', 'ipv6'] : [n.family ?? 'ipv4'])),
    );
    const dynamic = dynamicRange(lab, node);
    if (dynamic) families.add(dynamic.family);
    list.forEach((o, i) => {
      const prefix = typeof o === 'string' ? o : o.prefix;
      let family: 'ipv4' | 'ipv6';
      try {
        family = parseCidr(prefix).family === 6 ? 'ipv6' : 'ipv4';
      } catch {
        return; // prefix-invalid, from resolve
      }
      const path: Path = [...node.path, 'bgp', 'originate', i];
      const key = path.join('.');
      if (families.has(family) || seen.has(key)) return;
      seen.add(key);
      const name = family === 'ipv6' ? 'IPv6' : 'IPv4';
      const have = families.size
        ? `its sessions are ${[...families].map((f) => (f === 'ipv6' ? 'IPv6' : 'IPv4')).join(' and ')} only`
        : 'it has no BGP session';
      out.push(
        issue(
          'originate-unannounced',
          path,
          `${node.name} originates ${prefix}, an ${name} prefix, but ${have}: it is announced to no one`,
          `a session carries its own family's prefixes only, so no peer ever learns ${prefix}: open an ${name} session (transport: ${family === 'ipv6' ? 'ipv6 or dual' : 'ipv4 or dual'} on a neighbor, with ${name} addresses on the shared network or loopbacks), or drop the prefix`,
        ),
      );
    });
  }
  return out;
}

/** The same static route twice: the second `ip route add` fails with "File exists". */
function duplicateRoutes(lab: Lab): Issue[] {
  const out: Issue[] = [];
  for (const [name, def] of Object.entries(lab.raw.nodes)) {
    const seen = new Set<string>();
    def.routes.forEach((r, i) => {
      const key = `${r.to} ${r.via}`;
      // a discard route holds its prefix alone: any other route to it is the same kernel route
      const clash = r.type
        ? def.routes.slice(0, i).find((o) => o.to === r.to)
        : def.routes.slice(0, i).find((o) => o.to === r.to && o.type);
      if (seen.has(key) || clash)
        out.push(
          issue(
            'route-duplicate',
            ['nodes', name, 'routes', i],
            clash
              ? `${name} has a ${r.type ?? clash.type} route to ${r.to} and another route to it`
              : `${name} has the route to ${r.to} via ${r.via} twice`,
            clash
              ? 'up fails with "RTNETLINK answers: File exists": a discard route is the only route to its prefix; drop one of them'
              : 'up fails with "RTNETLINK answers: File exists": drop the copy (routes to one prefix via different gateways make one ECMP route)',
          ),
        );
      seen.add(key);
    });
  }
  return out;
}

/** Loopbacks and IPv6 addresses: inside their network (IPv6), each held once (the IPv4 interface
 * addresses are the addresses rules'). */
function extraAddresses(lab: Lab): Issue[] {
  const out: Issue[] = [];
  const owners = new Map<string, string>();
  for (const node of lab.nodes) {
    const held: { address: string; path: Path; mine: boolean }[] = [
      ...node.interfaces.flatMap((i) =>
        i.address ? [{ address: i.address, path: i.path, mine: false }] : [],
      ),
      ...node.interfaces.flatMap((i) =>
        i.address6 ? [{ address: i.address6, path: i.path, mine: true }] : [],
      ),
      ...[node.loopback?.ipv4, node.loopback?.ipv6].flatMap((a) =>
        a ? [{ address: a, path: [...node.path, 'loopback'], mine: true }] : [],
      ),
    ];
    for (const i of node.interfaces) {
      const net = networkByName(lab, i.network);
      if (i.address6 && net?.prefix6 && !prefixHolds(net.prefix6, i.address6))
        out.push(
          issue(
            'address-outside-network',
            i.path,
            `${node.name}: ${i.address6} is not inside ${net.name} (${net.prefix6})`,
            'the node cannot reach its neighbors over IPv6 on this network: pick an address inside prefix6',
          ),
        );
    }
    for (const h of held) {
      const owner = owners.get(h.address);
      if (owner && owner !== node.name && h.mine)
        out.push(
          issue(
            'address-duplicate',
            h.path,
            `${h.address} is held by both ${owner} and ${node.name}`,
            'sessions and routes to it reach either node: give each its own (loopbacks from a loopbacks: pool are unique)',
          ),
        );
      if (!owner) owners.set(h.address, node.name);
    }
  }
  return out;
}

// two roles that each run a BGP daemon of their own (speaksBgp) would both bind port 179 (MetalLB's
// speaker beside Calico's BGP is the known real-world case), so one never starts
function routerConflicts(lab: Lab): Issue[] {
  return Object.entries(lab.raw.nodes).flatMap(([name, def]) => {
    const out: Issue[] = [];
    const both = def.roles.filter((r) => ROLES[r]?.speaksBgp);
    if (both.length > 1)
      out.push(
        issue(
          'role-conflict',
          ['nodes', name, 'roles'],
          `${name} has the roles ${both.join(' and ')}: each runs its own BGP daemon`,
          'the second daemon cannot bind port 179 and its sessions never start: keep one BGP-speaking role per node',
        ),
      );
    if (def.roles.includes('tf-controller') && def.roles.includes('tf-vrouter'))
      out.push(
        issue(
          'role-conflict',
          ['nodes', name, 'roles'],
          `${name} has the roles tf-controller and tf-vrouter: the emulated control node turns IP forwarding off, which the vRouter needs`,
          "its pods would be unreachable: put the vRouter on the cluster's workers only (TF's all-in-one node is not emulated)",
        ),
      );
    return out;
  });
}

/** Every filter of the lab file with its path: each node's import and export, each neighbor's own. */
function filtersOf(
  lab: Lab,
): { node: string; dir: 'import' | 'export'; filter: Filter; path: Path; peer?: string }[] {
  const out: ReturnType<typeof filtersOf> = [];
  for (const [name, def] of Object.entries(lab.raw.nodes)) {
    for (const dir of ['import', 'export'] as const) {
      const f = def.bgp?.[dir];
      if (f !== undefined) out.push({ node: name, dir, filter: f, path: ['nodes', name, 'bgp', dir] });
    }
    def.bgp?.neighbors.forEach((n, i) => {
      if (typeof n === 'string') return;
      for (const dir of ['import', 'export'] as const) {
        const f = n[dir];
        if (f !== undefined)
          out.push({
            node: name,
            dir,
            filter: f,
            path: ['nodes', name, 'bgp', 'neighbors', i, dir],
            peer: n.peer,
          });
      }
    });
  }
  return out;
}

/** The prefixes of a filter, each with its path below the filter (and a rule's ge/le). */
function prefixesOf(f: Filter): { prefix: string; at: Path; rule?: Path; ge?: number; le?: number }[] {
  if (typeof f === 'string') return [];
  if (Array.isArray(f)) return f.map((prefix, i) => ({ prefix, at: [i] }));
  if (!isRulesFilter(f)) return (f.prefixes ?? []).map((prefix, i) => ({ prefix, at: ['prefixes', i] }));
  return f.rules.flatMap((r, i) =>
    r.prefix === undefined
      ? []
      : Array.isArray(r.prefix)
        ? r.prefix.map((prefix, j) => ({
            prefix,
            at: ['rules', i, 'prefix', j],
            rule: ['rules', i],
            ge: r.ge,
            le: r.le,
          }))
        : [{ prefix: r.prefix, at: ['rules', i, 'prefix'], rule: ['rules', i], ge: r.ge, le: r.le }],
  );
}

/** Prefixes in import and export filters: each must parse, with ge/le inside its bounds (the routers'
 * configuration would not). */
function filterPrefixes(lab: Lab): Issue[] {
  const out: Issue[] = [];
  for (const { filter, path } of filtersOf(lab)) {
    for (const { prefix, at, rule, ge, le } of prefixesOf(filter)) {
      let length: number;
      let max: number;
      try {
        const c = parseCidr(prefix);
        length = c.length;
        max = c.family === 4 ? 32 : 128;
      } catch (e) {
        out.push(
          issue(
            'prefix-invalid',
            [...path, ...at],
            (e as Error).message,
            'the router refuses its configuration and never starts: write a prefix with its length, e.g. 10.0.0.0/8',
          ),
        );
        continue;
      }
      const lo = ge ?? length;
      const hi = le ?? max;
      if (lo < length || hi > max || lo > hi)
        out.push(
          issue(
            'prefix-invalid',
            [...path, ...(rule ?? at), ge !== undefined ? 'ge' : 'le'],
            `${prefix} with ge ${ge ?? '-'} and le ${le ?? '-'}: lengths must run from ${length} to ${max}, ge no more than le`,
            `BIRD and FRR refuse the range and never start: give ${length} <= ge <= le <= ${max}`,
          ),
        );
    }
  }
  return out;
}

/** Every community the lab's routers attach: on originated prefixes and in policies' sets. */
function communitiesSet(lab: Lab): Set<string> {
  const out = new Set<string>();
  for (const def of Object.values(lab.raw.nodes))
    for (const o of def.bgp?.originate ?? [])
      if (typeof o !== 'string') for (const c of o.communities) out.add(community(c).text);
  for (const { filter } of filtersOf(lab))
    if (isRulesFilter(filter))
      for (const r of filter.rules) for (const c of r.set?.communities ?? []) out.add(community(c).text);
  return out;
}

/**
 * A filter that matches a community nobody attaches matches nothing: a permit that waits for it passes
 * no route, a deny never fires. Routers outside the lab file (add-ons' speakers) attach none the lab
 * names, so the lab is all there is.
 */
function communitiesNoOneSets(lab: Lab): Issue[] {
  const set = communitiesSet(lab);
  const out: Issue[] = [];
  for (const { node, filter, path } of filtersOf(lab)) {
    if (typeof filter === 'string' || Array.isArray(filter)) continue;
    const matched: { c: string; at: Path }[] = isRulesFilter(filter)
      ? filter.rules.flatMap((r, i) =>
          r.community === undefined
            ? []
            : [r.community].flat().map((c, j) => ({
                c,
                at: ['rules', i, 'community', ...(Array.isArray(r.community) ? [j] : [])],
              })),
        )
      : (filter.communities ?? []).map((c, i) => ({ c, at: ['communities', i] }));
    for (const { c, at } of matched)
      if (!set.has(community(c).text))
        out.push(
          issue(
            'community-never-set',
            [...path, ...at],
            `${node} matches routes carrying ${c}, which no router of the lab attaches`,
            `the rule matches no route (a permit passes nothing, a deny never fires): attach ${c} where the routes start (originate: [{ prefix, communities: [${c}] }], or a rule's set.communities), or drop the match`,
            'warning',
          ),
        );
  }
  return out;
}

/**
 * Policy that a session cannot carry: LOCAL_PREF is never sent to an eBGP peer (RFC 4271 5.1.5) and
 * FRR 8 cannot delete one extended community (only all of them).
 */
function policyNoEffect(lab: Lab): Issue[] {
  const out: Issue[] = [];
  for (const { node, dir, filter, path, peer } of filtersOf(lab)) {
    if (!isRulesFilter(filter)) continue;
    const self = nodeByName(lab, node) ?? lab.nodes.find((n) => n.group === node);
    const frr = lab.raw.nodes[node]?.roles.includes('frr-router');
    const ownAs = self?.bgp?.as;
    const peers = (self?.bgp?.neighbors ?? []).filter(
      (n) => peer === undefined || selectNodes(lab, peer).some((p) => p.name === n.node),
    );
    const ebgpOnly = peers.length > 0 && peers.every((n) => n.as !== ownAs);
    filter.rules.forEach((r, i) => {
      if (dir === 'export' && ebgpOnly && r.set?.local_pref !== undefined)
        out.push(
          issue(
            'field-ignored',
            [...path, 'rules', i, 'set', 'local_pref'],
            `${node} (AS ${ownAs}) sets local_pref on routes it exports to eBGP peers only (AS ${[...new Set(peers.map((n) => n.as))].join(', ')})`,
            'LOCAL_PREF is not carried over eBGP: the peer never sees it. Set it on the receiving side (its import), or use med or prepend to steer a neighbouring AS',
          ),
        );
      const ext = (r.set?.strip_communities ?? []).findIndex((c) => community(c).kind === 'extended');
      if (frr && ext >= 0)
        out.push(
          issue(
            'field-ignored',
            [...path, 'rules', i, 'set', 'strip_communities', ext],
            `${node} strips the extended community ${r.set?.strip_communities?.[ext]}: FRR 8 can delete standard and large communities by list, extended ones only all at once`,
            'FRR would keep it: strip it on a BIRD router, or match it and deny the route instead',
          ),
        );
    });
  }
  return out;
}

/**
 * A loopback with a length makes its whole prefix the node's own (the kernel adds it to lo as local):
 * another node's address or a lab network inside it is then unreachable from that node.
 */
function loopbackPrefixes(lab: Lab): Issue[] {
  const out: Issue[] = [];
  for (const node of lab.nodes) {
    for (const family of ['ipv4', 'ipv6'] as const) {
      const lo = node.loopback;
      if (!lo || (family === 'ipv4' ? lo.length4 : lo.length6) === undefined) continue;
      const prefix = loopbackPrefix(lo, family)!;
      const other = lab.nodes
        .filter((n) => n !== node)
        .flatMap((n) => addressesOf(n).map((a) => ({ node: n.name, what: a })))
        .find((a) => prefixHolds(prefix, a.what));
      const net = lab.networks.find((n) =>
        [n.prefix, n.prefix6].some((p) => p && prefixesOverlap(p, prefix)),
      );
      if (!other && !net) continue;
      out.push(
        issue(
          'loopback-overlap',
          [...node.path, 'loopback'],
          other
            ? `${node.name}'s loopback ${loopbackCidr(lo, family)} makes all of ${prefix} its own, ${other.node}'s ${other.what} included`
            : `${node.name}'s loopback ${loopbackCidr(lo, family)} makes all of ${prefix} its own, which overlaps network ${net!.name}`,
          `${node.name} answers for every address in ${prefix} itself and never reaches the one inside it: give the loopback a prefix no other address lies in, or leave the length out (/32, /128)`,
        ),
      );
    }
  }
  return out;
}

/**
 * FRR runs a GTSM session's BFD as multihop (ttl-security makes bgpd ask bfdd for a multihop peer),
 * BIRD's stays single-hop: between the two, BFD never leaves Down.
 */
function gtsmBfdMismatch(lab: Lab): Issue[] {
  const out: Issue[] = [];
  const frr = (n: Node) => n.roles.includes('frr-router');
  const bird = (n: Node) => n.roles.includes('bird-router');
  for (const node of lab.nodes.filter(frr)) {
    for (const n of node.bgp?.neighbors ?? []) {
      const peer = n.node ? nodeByName(lab, n.node) : undefined;
      if (!peer || !bird(peer) || !n.ttlSecurity || !n.bfd) continue;
      out.push(
        issue(
          'bgp-gtsm-bfd-mismatch',
          n.path,
          `${node.name} (FRR) runs BFD with ${peer.name} (BIRD) on a GTSM session: FRR makes that BFD session multihop, BIRD single-hop`,
          'BFD stays Down and a bfd_up check fails: drop ttl_security or bfd on this session (both ends)',
        ),
      );
    }
  }
  return out;
}

export const routingRules: Rule = (lab) => [
  ...gtsmBfdMismatch(lab),
  ...loopbackPrefixes(lab),
  ...filterPrefixes(lab),
  ...communitiesNoOneSets(lab),
  ...policyNoEffect(lab),
  ...routerConflicts(lab),
  ...extraAddresses(lab),
  ...ignoredFields(lab),
  ...misplacedRsClient(lab),
  ...unreachablePeers(lab),
  ...unresolvableNextHops(lab),
  ...routeServerNextHops(lab),
  ...duplicateRouterIds(lab),
  ...ospfAreaMismatch(lab),
  ...duplicateRoutes(lab),
  ...unannouncedOriginates(lab),
];
