// Routing the lab file asks for: loopbacks, per-session BGP (local address, family, options), originated
// prefixes, OSPF. Every role that speaks BGP or OSPF reads what this resolves, whatever its daemon.
import { linkLocalTowards, routerIdOf } from '../core/addressing.js';
import type { PushIssue } from '../core/issue.js';
import {
  birdName,
  type Lab,
  type Loopback,
  loopbackPrefix,
  type Neighbor,
  type Node,
  type NodeBgp,
  networkByName,
  type Originated,
  type OspfInterface,
  selectNodes,
} from '../core/lab.js';
import type { RawNeighbor } from '../core/schema.js';
import { addressAt, cidrContains, cidrSize, familyOf, hostLength, parseCidr } from '../net/ip.js';

/** Raw definition of a node (a group's members share their group's). */
const rawOf = (lab: Lab, node: Node) => lab.raw.nodes[node.group ?? node.name];

/** Explicit loopbacks, then one from the pools for every node that routes (bgp or ospf) and has none. */
export function resolveLoopbacks(lab: Lab, push: PushIssue): void {
  const pools = lab.raw.loopbacks;
  const pool = (key: 'ipv4' | 'ipv6') => {
    const text = pools[key];
    if (!text) return undefined;
    try {
      const c = parseCidr(text);
      if (c.family !== (key === 'ipv4' ? 4 : 6)) throw new Error(`'${text}' is not an ${key} prefix`);
      return c;
    } catch (e) {
      push({
        code: 'prefix-invalid',
        path: ['loopbacks', key],
        message: (e as Error).message,
        hint: 'give the pool as a prefix of its family, e.g. 10.255.0.0/24 or 2001:db8:ff::/64',
      });
      return undefined;
    }
  };
  const v4 = pool('ipv4');
  const v6 = pool('ipv6');
  let next = 1;
  // the pool's addresses after the network address (all of a /31 or /32, as for /127 and /128)
  const capacity = (c: ReturnType<typeof pool>) =>
    c ? Number(cidrSize(c) > 1_000_000n ? 1_000_000n : cidrSize(c)) - 1 : Number.POSITIVE_INFINITY;
  let exhausted = false;
  for (const node of lab.nodes) {
    const def = rawOf(lab, node);
    const explicit = def?.loopback === undefined ? [] : [def.loopback].flat();
    const lo: Loopback = {};
    explicit.forEach((text, i) => {
      // an address, or an address with the length lo holds it with (10.255.0.1/24: the lab says so)
      const [a, len, ...extra] = text.split('/');
      const family = familyOf(a ?? '');
      const path = [...node.path, 'loopback', ...(Array.isArray(def?.loopback) ? [i] : [])];
      const badLength =
        family &&
        (extra.length || (len !== undefined && (!/^\d{1,3}$/.test(len) || Number(len) > hostLength(family))));
      if (!family || badLength || (family === 4 ? lo.ipv4 : lo.ipv6)) {
        push({
          code: 'address-invalid',
          path,
          message: !family
            ? `'${text}' is not an IP address`
            : badLength
              ? `'${text}' is not an address with a prefix length`
              : `${node.name} has two IPv${family} loopbacks`,
          hint: 'give at most one IPv4 and one IPv6 loopback address, e.g. [10.255.0.1, 2001:db8:ff::1], each /32 or /128 unless written with a length (10.255.0.1/24)',
        });
        return;
      }
      const length = len === undefined ? undefined : Number(len);
      if (family === 4) Object.assign(lo, { ipv4: a, ...(length === undefined ? {} : { length4: length }) });
      else Object.assign(lo, { ipv6: a, ...(length === undefined ? {} : { length6: length }) });
    });
    const routes = def?.bgp !== undefined || def?.ospf !== undefined;
    const needs = routes && ((v4 && !lo.ipv4) || (v6 && !lo.ipv6));
    if (needs && next > Math.min(capacity(v4), capacity(v6))) {
      if (!exhausted)
        push({
          code: 'pool-exhausted',
          path: ['loopbacks', next > capacity(v4) ? 'ipv4' : 'ipv6'],
          message: `the loopback pool has no address left for ${node.name} (and the routing nodes after it)`,
          hint: 'nodes without a loopback would share or lack one: give the pool a shorter prefix length',
        });
      exhausted = true;
    } else {
      if (routes && v4 && !lo.ipv4) lo.ipv4 = addressAt(v4, next);
      if (routes && v6 && !lo.ipv6) lo.ipv6 = addressAt(v6, next);
      if (routes && (v4 || v6)) next++;
    }
    if (lo.ipv4 || lo.ipv6) node.loopback = lo;
  }
}

type Ifc = Node['interfaces'][number];
// each node's interfaces by network (the first on each): a fabric's spine has a thousand, one per leaf,
// and every leaf asks which one it shares with it
const byNetwork = new WeakMap<Ifc[], { length: number; first: Map<string, number> }>();
function networkIndex(n: Node): Map<string, number> {
  let e = byNetwork.get(n.interfaces);
  if (!e || e.length !== n.interfaces.length) {
    const first = new Map<string, number>();
    n.interfaces.forEach((x, i) => {
      if (!first.has(x.network)) first.set(x.network, i);
    });
    e = { length: n.interfaces.length, first };
    byNetwork.set(n.interfaces, e);
  }
  return e.first;
}

/** The first network two nodes share, in the order of `a`'s interfaces, and each one's interface there. */
function firstShared(a: Node, b: Node): { mine: Ifc; theirs: Ifc } | undefined {
  const [ia, ib] = [networkIndex(a), networkIndex(b)];
  let best: number | undefined;
  // walk the shorter list: the other's index answers at once
  if (a.interfaces.length <= b.interfaces.length) best = a.interfaces.findIndex((x) => ib.has(x.network));
  else
    for (const x of b.interfaces) {
      const i = ia.get(x.network);
      if (i !== undefined && (best === undefined || i < best)) best = i;
    }
  if (best === undefined || best < 0) return undefined;
  const mine = a.interfaces[best];
  return { mine, theirs: b.interfaces[ib.get(mine.network)!] };
}

interface SessionEnds {
  local: string;
  remote: string;
  family: 'ipv4' | 'ipv6';
  multihop: boolean;
}

/** The sessions between node and peer: over loopbacks, or over the first network they share, per family. */
export function sessionEnds(
  node: Node,
  peer: Node,
  opts: {
    session?: 'interface' | 'loopback' | 'unnumbered';
    transport?: 'ipv4' | 'ipv6' | 'dual';
    ibgp: boolean;
  },
): SessionEnds[] {
  const shared = firstShared(node, peer);
  const bothLoopbacks = !!(node.loopback && peer.loopback);
  const overLoopback =
    opts.session === 'loopback' || (opts.session === undefined && opts.ibgp && bothLoopbacks);
  const ends: SessionEnds[] = [];
  const families =
    opts.transport === 'ipv4' ? ['ipv4'] : opts.transport === 'ipv6' ? ['ipv6'] : ['ipv4', 'ipv6'];
  for (const family of families as ('ipv4' | 'ipv6')[]) {
    if (overLoopback || !shared) {
      const local = node.loopback?.[family];
      const remote = peer.loopback?.[family];
      if (local && remote) ends.push({ local, remote, family, multihop: true });
      else if (!shared && family === 'ipv4') {
        // no shared network and no loopbacks: the peer's first address, across routers (lint explains)
        const remoteAddr = peer.interfaces[0]?.address;
        if (remoteAddr) ends.push({ local: '', remote: remoteAddr, family, multihop: true });
      }
      continue;
    }
    const local = family === 'ipv4' ? shared.mine.address : shared.mine.address6;
    const remote = family === 'ipv4' ? shared.theirs.address : shared.theirs.address6;
    if (local && remote) ends.push({ local, remote, family, multihop: false });
  }
  // an explicit transport that neither end can carry still yields no session: lint says why
  return ends;
}

function neighborOptions(item: string | RawNeighbor): RawNeighbor {
  return typeof item === 'string' ? { peer: item } : item;
}

/** The sessions of every node whose BGP comes from the lab file: one per peer and family. */
export function resolveSessions(lab: Lab, node: Node, push: PushIssue): Neighbor[] {
  const def = rawOf(lab, node)?.bgp;
  const bgp = node.bgp;
  if (!def || !bgp) return [];
  const neighbors: Neighbor[] = [];
  def.neighbors.forEach((item, i) => {
    const opts = neighborOptions(item);
    const path = [...node.path, 'bgp', 'neighbors', i];
    const peers = selectNodes(lab, opts.peer).filter((p) => p.name !== node.name);
    if (!peers.length)
      push({
        code: 'unknown-reference',
        path: typeof item === 'string' ? path : [...path, 'peer'],
        message: `no node, group or cluster named '${opts.peer}'`,
        hint: 'name nodes, groups or clusters defined in this file',
      });
    for (const peer of peers) {
      if (!peer.bgp) {
        push({
          code: 'bgp-not-reciprocal',
          path,
          message: `${node.name} lists ${peer.name} as a BGP neighbor, but ${peer.name} speaks no BGP`,
          hint: 'the session stays in Active/Connect forever: configure BGP on the peer, or drop it here',
        });
        continue;
      }
      const ibgp = peer.bgp.as === bgp.as;
      // unnumbered: one session between the link-local addresses of the first network both are on
      const link = opts.session === 'unnumbered' ? firstShared(node, peer) : undefined;
      const peerLinkLocal = link && linkLocalTowards(lab, peer, link.mine.network);
      const ends =
        opts.session === 'unnumbered'
          ? peerLinkLocal
            ? [{ local: '', remote: peerLinkLocal, family: 'ipv4' as const, multihop: false }]
            : []
          : sessionEnds(node, peer, {
              session: opts.session,
              transport: opts.transport,
              ibgp,
            });
      if (!ends.length) {
        const want = [
          opts.session && `session: ${opts.session}`,
          opts.transport && `transport: ${opts.transport}`,
        ]
          .filter(Boolean)
          .join(', ');
        push({
          code: 'bgp-local-address',
          path,
          message: `${node.name} and ${peer.name} have no pair of addresses to run a session between${want ? ` (${want})` : ''}`,
          hint: networkByName(lab, firstShared(node, peer)?.mine.network ?? '')?.unnumbered
            ? `the session would never start: the link ${node.name} and ${peer.name} share has link-local addresses only: give both ends session: unnumbered`
            : 'the session would never start: peer over a network both are on (with addresses of that family), or give both loopbacks (loopback:, or a loopbacks: pool)',
        });
      }
      // rr_client means something on a reflector's iBGP session only: anywhere else it would be ignored
      if (opts.rr_client !== undefined && !(bgp.routeReflector && ibgp))
        push({
          code: 'field-ignored',
          path: [...path, 'rr_client'],
          message: `rr_client on ${node.name}'s session with ${peer.name}: ${bgp.routeReflector ? `an eBGP session (AS ${bgp.as} and ${peer.bgp.as}) is reflected to no one` : `${node.name} is no route reflector (no bgp.route_reflector)`}`,
          hint: bgp.routeReflector
            ? 'it would be accepted and silently ignored: drop it (only iBGP peers are reflection clients)'
            : `it would be accepted and silently ignored: give ${node.name} bgp.route_reflector: {} to make it reflect, or drop rr_client`,
        });
      // options that mean something on some sessions only: anywhere else they would be ignored
      const misplaced = [
        ...(opts.allowas_in && ibgp
          ? [['allowas_in', 'an iBGP session: routes of our own AS arrive by design']]
          : []),
        ...(opts.as_override && ibgp ? [['as_override', 'an iBGP session: the peer shares our AS']] : []),
        ...(opts.ttl_security && ends.some((e) => e.multihop)
          ? [['ttl_security', 'a multihop session: GTSM (as configured here) expects the peer one hop away']]
          : []),
      ];
      for (const [field, why] of misplaced)
        push({
          code: 'field-ignored',
          path: [...path, field],
          message: `${field} on ${node.name}'s session with ${peer.name}: ${why}`,
          hint: 'drop the field (FRR refuses ttl-security beside ebgp-multihop; the others would be ignored)',
        });
      const bfdOn = opts.bfd ?? def.bfd;
      for (const end of ends) {
        neighbors.push({
          node: peer.name,
          address: end.remote,
          as: peer.bgp.as,
          protocol: birdName(end.family === 'ipv6' ? `${peer.name}_v6` : peer.name),
          multihop: end.multihop,
          localAddress: end.local || undefined,
          ...(link ? { interface: link.mine.name } : {}),
          family: end.family,
          ibgp,
          nextHopSelf: opts.next_hop_self ?? def.next_hop_self,
          rrClient: bgp.routeReflector && ibgp ? (opts.rr_client ?? true) : undefined,
          rsClient: opts.rs_client,
          password: opts.password ?? def.password,
          bfd: bfdOn === undefined ? undefined : !!bfdOn,
          bfdTimers: typeof bfdOn === 'object' ? bfdOn : undefined,
          import: opts.import,
          export: opts.export,
          localPref: opts.local_pref,
          med: opts.med,
          prepend: opts.prepend,
          weight: opts.weight,
          timers: opts.timers,
          passive: opts.passive,
          ttlSecurity: opts.ttl_security,
          allowasIn: opts.allowas_in === true ? 1 : opts.allowas_in || undefined,
          defaultOriginate: opts.default_originate,
          removePrivateAs: opts.remove_private_as,
          asOverride: opts.as_override,
          path,
        });
      }
    }
  });
  return neighbors;
}

/** What the node announces itself: its loopbacks (unless told not to), then the originate list. */
export function resolveOriginate(lab: Lab, node: Node, push: PushIssue): Originated[] {
  const def = rawOf(lab, node)?.bgp;
  if (!def) return [];
  const out: Originated[] = [];
  if (def.advertise_loopback !== false) {
    // the loopback's prefix: its address alone, or the whole prefix the lab gave it
    for (const family of ['ipv4', 'ipv6'] as const) {
      const prefix = node.loopback && loopbackPrefix(node.loopback, family);
      if (prefix) out.push({ prefix, family, communities: [] });
    }
  }
  def.originate.forEach((o, i) => {
    const { prefix, communities } = typeof o === 'string' ? { prefix: o, communities: [] } : o;
    // a link's name: the node's own /31s of that link (a leaf announces its servers' links)
    if (lab.raw.links[prefix]) {
      for (const ifc of node.interfaces) {
        const net = networkByName(lab, ifc.network);
        if (net?.link?.name === prefix && net.prefix)
          out.push({ prefix: net.prefix, family: 'ipv4', communities });
      }
      return;
    }
    try {
      const c = parseCidr(prefix);
      out.push({ prefix, family: c.family === 4 ? 'ipv4' : 'ipv6', communities });
    } catch (e) {
      push({
        code: 'prefix-invalid',
        path: [...node.path, 'bgp', 'originate', i, ...(typeof o === 'string' ? [] : ['prefix'])],
        message: (e as Error).message,
        hint: 'announce a prefix with its length, e.g. 10.1.0.0/24 or 2001:db8:1::/48',
      });
    }
  });
  return out;
}

/** Fills the lab-defined parts of a node's BGP that need every node resolved first. */
export function completeLabBgp(lab: Lab, node: Node, bgp: NodeBgp, push: PushIssue): void {
  bgp.neighbors = resolveSessions(lab, node, push);
  bgp.originate = resolveOriginate(lab, node, push);
  // one local address for the template when every session shares it (the common single-network case)
  const locals = [...new Set(bgp.neighbors.map((n) => n.localAddress).filter(Boolean))];
  if (locals.length === 1 && locals[0]) bgp.localAddress = locals[0];
}

/** OSPF on the node's networks (all by default) and its loopback; point-to-point where only two speak. */
export function resolveOspf(lab: Lab, push: PushIssue): void {
  const speakers = (network: string) =>
    lab.nodes.filter((n) => {
      const d = rawOf(lab, n)?.ospf;
      if (!d || !n.interfaces.some((i) => i.network === network)) return false;
      const listed = d.networks?.map((x) => (typeof x === 'string' ? x : x.network));
      const passive =
        d.passive.includes(network) ||
        d.networks?.some((x) => typeof x !== 'string' && x.network === network && x.passive);
      return (!listed || listed.includes(network)) && !passive;
    }).length;
  for (const node of lab.nodes) {
    const def = rawOf(lab, node)?.ospf;
    if (!def) continue;
    const path = [...node.path, 'ospf'];
    const entries = (def.networks ?? node.interfaces.map((i) => i.network)).map((x) =>
      typeof x === 'string' ? { network: x, passive: false } : x,
    );
    const interfaces: OspfInterface[] = [];
    entries.forEach((e, i) => {
      const ifc = node.interfaces.find((x) => x.network === e.network);
      const net = networkByName(lab, e.network);
      if (!ifc || !net) {
        push({
          code: 'unknown-reference',
          path: def.networks ? [...path, 'networks', i] : path,
          message: `${node.name} runs OSPF on '${e.network}', but has no interface on such a network`,
          hint: `OSPF runs on the node's own networks: ${node.interfaces.map((x) => x.network).join(', ') || 'none'}`,
        });
        return;
      }
      const passive = e.passive || def.passive.includes(e.network);
      interfaces.push({
        name: ifc.name,
        network: net.name,
        prefix: net.prefix,
        area: ('area' in e && e.area) || def.area,
        passive,
        cost: 'cost' in e ? e.cost : undefined,
        pointToPoint: !passive && speakers(net.name) === 2,
      });
    });
    def.passive.forEach((p, i) => {
      if (!entries.some((e) => e.network === p))
        push({
          code: 'unknown-reference',
          path: [...path, 'passive', i],
          message: `${node.name} makes '${p}' passive, but OSPF does not run there`,
          hint: 'list networks the node runs OSPF on (ospf.networks, or all its networks by default)',
        });
    });
    // the loopback as a stub: OSPFv2 needs its IPv4 prefix, OSPFv3 finds the IPv6 one on the interface
    if (node.loopback?.ipv4 || node.loopback?.ipv6)
      interfaces.push({
        name: 'lo',
        ...(node.loopback.ipv4 ? { prefix: loopbackPrefix(node.loopback, 'ipv4') } : {}),
        area: def.area,
        passive: true,
        pointToPoint: false,
      });
    node.ospf = {
      routerId: routerIdOf(lab, node, def.router_id),
      interfaces,
      ipv6: def.ipv6,
      path,
    };
  }
}

/** Whether an address lies in a prefix of its family (false for unparsable input). */
export function prefixHolds(prefix: string, address: string): boolean {
  try {
    return cidrContains(parseCidr(prefix), address);
  } catch {
    return false;
  }
}
