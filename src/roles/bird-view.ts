// What BIRD's router template needs, computed once: per-session local addresses and channels, filters by
// family, originated prefixes, OSPF, BFD. A node that needs none of it renders as the plain eBGP router.
import { dynamicRange, routerIdOf } from '../core/addressing.js';
import { type Lab, loopbackPrefix, type Neighbor, type Node } from '../core/lab.js';
import type { Filter } from '../core/schema.js';
import { birdChannelFilter } from '../daemons/bird.js';
import { BIRD_ATTRIBUTE, birdCommunityLiteral, community } from '../daemons/communities.js';
import type { AttributeSets } from '../daemons/policy.js';
import { hasSets, isRulesFilter, sessionTimers } from '../daemons/policy.js';
import { gatewayRoutes } from '../net/static-routes.js';

type Family = 'ipv4' | 'ipv6';

export { birdChannelFilter } from '../daemons/bird.js';

export interface BirdSession {
  protocol: string;
  comment?: string;
  local?: string;
  neighbor: string;
  as: number;
  /** Dynamic neighbors: any peer from this prefix, internal or external (neighbor_range). */
  range?: { prefix: string; ibgp: boolean };
  multihop: boolean;
  password?: string;
  bfd: boolean;
  rrClient: boolean;
  rsClient: boolean;
  family: Family;
  import: string;
  export: string;
  /**
   * BIRD's `next hop self` argument: `ebgp` on iBGP sessions (routes learned over eBGP only, as FRR's
   * next-hop-self: a reflected route keeps its originator's next hop), `on` towards eBGP peers.
   */
  nextHopSelf?: 'ebgp' | 'on';
  gatewayRecursive: boolean;
  bfdTimers?: Neighbor['bfdTimers'];
  passive?: boolean;
  ttlSecurity?: boolean;
  allowLocalAs?: number;
  timers?: ReturnType<typeof sessionTimers>;
  /** Unnumbered: the interface of the peer's link-local address, and the IPv6 channel beside IPv4's. */
  interface?: string;
  ipv6Channel?: { import: string; export: string };
}

/** BIRD strings are double-quoted: escape what would end them. */
const birdString = (s: string) => `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;

export function birdRouterView(lab: Lab, node: Node) {
  const bgp = node.bgp;
  const neighbors: Neighbor[] = bgp?.neighbors ?? [];
  const originate = bgp?.originate ?? [];
  const ospf = node.ospf;
  const families = new Set<Family>(['ipv4']);
  for (const n of neighbors) families.add(n.family ?? 'ipv4');
  // an unnumbered session carries IPv6 too
  if (neighbors.some((n) => n.interface)) families.add('ipv6');
  for (const o of originate) families.add(o.family);
  if (node.interfaces.some((i) => i.address6) || node.loopback?.ipv6) families.add('ipv6');
  const ibgp = neighbors.some((n) => n.ibgp);
  // connected networks and loopbacks in BIRD's table: iBGP next hops resolve over them (and OSPF's)
  const direct =
    ibgp || neighbors.some((n) => n.multihop) || !!ospf || originate.length > 0 || families.has('ipv6');
  const dynamic = dynamicRange(lab, node);
  if (dynamic) families.add(dynamic.family);
  const plain =
    !direct &&
    !dynamic &&
    !isRulesFilter(bgp?.import) &&
    !isRulesFilter(bgp?.export) &&
    neighbors.every(
      (n) =>
        !n.nextHopSelf &&
        !n.rrClient &&
        !n.rsClient &&
        !n.password &&
        !n.bfd &&
        !n.interface &&
        n.family !== 'ipv6' &&
        !ownPolicy(n),
    );
  const locals = new Set(neighbors.map((n) => n.localAddress));
  const sharedLocal =
    locals.size === 1 && bgp?.localAddress && neighbors[0]?.localAddress === bgp.localAddress;
  const allIbgp = neighbors.length > 0 && neighbors.every((n) => n.ibgp || n.rsClient);
  // iBGP and route servers pass everything unless told otherwise; eBGP needs filters (lint says so)
  const fallback = allIbgp ? ('all' as const) : undefined;
  // a default route for the sessions that send one: BIRD has no default-originate, so a discard route
  // of its own protocol, exported to those sessions only
  const defaults = (['ipv4', 'ipv6'] as Family[]).filter((f) =>
    neighbors.some((n) => n.defaultOriginate && (n.family ?? 'ipv4') === f),
  );
  const defaultProto = (f: Family) => `proto = "default${f === 'ipv4' ? 4 : 6}"`;
  const sessions: BirdSession[] = neighbors.map((n) => {
    const passAll = n.ibgp || n.rsClient ? ('all' as const) : undefined;
    const family = n.family ?? 'ipv4';
    const exportSets = { med: n.med, prepend: n.prepend, removePrivateAs: n.removePrivateAs };
    return {
      protocol: n.protocol,
      comment: n.node && n.node !== n.protocol ? n.node : undefined,
      local: sharedLocal ? undefined : n.localAddress,
      neighbor: n.address,
      as: n.as,
      multihop: !!n.multihop,
      password: n.password === undefined ? undefined : birdString(n.password),
      bfd: !!n.bfd,
      bfdTimers: n.bfdTimers,
      rrClient: !!n.rrClient,
      rsClient: !!n.rsClient,
      family,
      // the session's own policy (import:, local_pref) instead of the node's
      import: plain
        ? ''
        : birdChannelFilter(n.import ?? bgp?.import, family, passAll, {
            ownAs: bgp?.as,
            sets: n.localPref === undefined ? undefined : { localPref: n.localPref },
          }),
      // BGP carries what BGP learned and what the node originates, never its connected or OSPF routes
      export: plain
        ? ''
        : exportFilter(n.export ?? bgp?.export, family, passAll, !bgpTablesOf(plain, bgp), {
            ownAs: bgp?.as,
            sets: hasSets({ add: [], strip: [], ...exportSets }) ? exportSets : undefined,
            acceptFirst: n.defaultOriginate ? defaultProto(family) : undefined,
            keepOut: defaults.includes(family) ? ` && !(${defaultProto(family)})` : '',
          }),
      ...(n.interface
        ? {
            interface: n.interface,
            ipv6Channel: {
              import: birdChannelFilter(n.import ?? bgp?.import, 'ipv6', passAll, {
                ownAs: bgp?.as,
                sets: n.localPref === undefined ? undefined : { localPref: n.localPref },
              }),
              export: exportFilter(n.export ?? bgp?.export, 'ipv6', passAll, !bgpTablesOf(plain, bgp), {
                ownAs: bgp?.as,
                sets: hasSets({ add: [], strip: [], ...exportSets }) ? exportSets : undefined,
                acceptFirst: n.defaultOriginate ? defaultProto('ipv6') : undefined,
                keepOut: defaults.includes('ipv6') ? ` && !(${defaultProto('ipv6')})` : '',
              }),
            },
          }
        : {}),
      passive: !!n.passive,
      ttlSecurity: !!n.ttlSecurity,
      allowLocalAs: n.allowasIn,
      timers: n.timers && sessionTimers(n.timers),
      nextHopSelf: !n.nextHopSelf ? undefined : n.ibgp ? 'ebgp' : 'on',
      gatewayRecursive: !!n.ibgp && direct,
    };
  });
  if (dynamic) {
    // one protocol accepts every peer of the range; BIRD spawns a session per peer (dyn1, dyn2, ...)
    const passAll = dynamic.ibgp ? ('all' as const) : undefined;
    sessions.push({
      protocol: 'dyn',
      comment: `dynamic neighbors from ${dynamic.range}`,
      local: dynamic.local,
      neighbor: '',
      as: 0,
      range: { prefix: dynamic.range, ibgp: dynamic.ibgp },
      multihop: false,
      bfd: false,
      rrClient: false,
      rsClient: false,
      family: dynamic.family,
      import: birdChannelFilter(bgp?.import, dynamic.family, passAll, { ownAs: bgp?.as }),
      export: exportFilter(bgp?.export, dynamic.family, passAll, !bgpTablesOf(plain, bgp), {
        ownAs: bgp?.as,
      }),
      gatewayRecursive: dynamic.ibgp && direct,
    });
  }
  const byFamily = (f: Family) => originate.filter((o) => o.family === f);
  // the node's static routes, in BIRD's main table too: BGP next hops (eBGP multihop, iBGP over
  // loopbacks) reached by a static route resolve there. The kernel already has them (export skips them)
  const statics = direct ? staticRoutesByFamily(node.routes) : [];
  // BGP in its own table, as a real router's BGP RIB: a prefix OSPF or a connected network also holds
  // is still reflected and re-advertised. BIRD merges ECMP paths only in the kernel protocol of the
  // table that holds them, so a node with ECMP keeps BGP in the main table.
  const bgpTables = bgpTablesOf(plain, bgp);
  return {
    // BGP's router id, else OSPF's, else the loopback or first address (a router with neither)
    routerId: bgp?.routerId ?? ospf?.routerId ?? routerIdOf(lab, node),
    plain,
    bgpTables,
    direct,
    families: [...families],
    templateLocal: sharedLocal ? bgp?.localAddress : undefined,
    templateChannel:
      plain && bgp
        ? {
            import: birdChannelFilter(bgp.import, 'ipv4', fallback),
            export: birdChannelFilter(bgp.export, 'ipv4', fallback),
          }
        : undefined,
    statics,
    originate: (['ipv4', 'ipv6'] as Family[])
      .map((f) => ({
        family: f,
        protocol: `originate${f === 'ipv4' ? 4 : 6}`,
        routes: byFamily(f).map((o) => ({
          prefix: o.prefix,
          attributes: o.communities
            .map(community)
            .map((c) => `${BIRD_ATTRIBUTE[c.kind]}.add(${birdCommunityLiteral(c)});`)
            .join(' '),
        })),
      }))
      .filter((o) => o.routes.length),
    // the kernel gets BGP's and OSPF's routes; not connected ones (it has them), nor originated discards
    kernelExport: plain ? 'all' : 'where source != RTS_DEVICE && source != RTS_STATIC',
    bfd: sessions.some((s) => s.bfd),
    // unnumbered peers find us by our router advertisements (FRR learns the link-local address so)
    radv: [...new Set(sessions.flatMap((s) => (s.interface ? [s.interface] : [])))],
    defaults: defaults.map((f) => ({
      family: f,
      protocol: `default${f === 'ipv4' ? 4 : 6}`,
      prefix: f === 'ipv4' ? '0.0.0.0/0' : '::/0',
    })),
    sessions,
    ospf: ospf && {
      routerId: ospf.routerId,
      ipv6: ospf.ipv6 && families.has('ipv6'),
      // the IPv6 loopback's prefix as a stub (its /128, or the length the lab gives it)
      loopback6: node.loopback && loopbackPrefix(node.loopback, 'ipv6'),
      areas: [...new Set(ospf.interfaces.map((i) => i.area))].map((area) => ({
        area,
        interfaces: ospf.interfaces.filter((i) => i.area === area),
      })),
    },
    lab: { name: lab.name },
  };
}

const bgpTablesOf = (plain: boolean, bgp: Node['bgp']) => !plain && bgp?.ecmpLimit === undefined;

/**
 * Static routes per family, one entry per prefix with every gateway (ECMP), as BIRD's static protocol;
 * a discard route is BIRD's own (route P blackhole / unreachable), as the kernel holds it.
 */
function staticRoutesByFamily(routes: Node['routes']) {
  return (['ipv4', 'ipv6'] as Family[])
    .map((family) => {
      const byPrefix = new Map<string, string[]>();
      for (const r of gatewayRoutes(routes).filter((r) => r.via.includes(':') === (family === 'ipv6'))) {
        const to = r.to === 'default' ? (family === 'ipv6' ? '::/0' : '0.0.0.0/0') : r.to;
        byPrefix.set(to, [...new Set([...(byPrefix.get(to) ?? []), r.via])]);
      }
      const discards = routes.flatMap((r) =>
        r.type && r.to.includes(':') === (family === 'ipv6')
          ? [{ prefix: r.to, vias: [], type: r.type }]
          : [],
      );
      const protocol = `routes${family === 'ipv4' ? 4 : 6}`;
      return {
        family,
        protocol,
        routes: [...[...byPrefix].map(([prefix, vias]) => ({ prefix, vias, type: undefined })), ...discards],
      };
    })
    .filter((f) => f.routes.length);
}

function exportFilter(
  filter: Filter | undefined,
  family: Family,
  fallback: 'all' | undefined,
  sharedTable: boolean,
  opts: { ownAs?: number; sets?: Partial<AttributeSets>; acceptFirst?: string; keepOut?: string } = {},
): string {
  // with BGP in the main table, the node's static routes (protocol routes4/6) are there too: not BGP's
  const own = sharedTable ? ` && proto != "routes${family === 'ipv4' ? 4 : 6}"` : '';
  const { keepOut, ...rest } = opts;
  return birdChannelFilter(filter, family, fallback, {
    ...rest,
    guard: `source ~ [ RTS_BGP, RTS_STATIC ]${own}${keepOut ?? ''}`,
  });
}

/** A session with a policy of its own: filters, attributes or options the node's shared template lacks. */
const ownPolicy = (n: Neighbor) =>
  n.timers !== undefined ||
  !!n.passive ||
  !!n.ttlSecurity ||
  n.allowasIn !== undefined ||
  !!n.defaultOriginate ||
  !!n.removePrivateAs ||
  n.import !== undefined ||
  n.export !== undefined ||
  n.localPref !== undefined ||
  n.med !== undefined ||
  n.prepend !== undefined;
