// What FRR's router templates need: route-maps for the lab's filters (FRR enforces RFC 8212 on eBGP),
// one neighbor per session in its own address family, originated networks, OSPF interfaces.

import { dynamicRange } from '../core/addressing.js';
import type { Lab, Node } from '../core/lab.js';
import type { Filter } from '../core/schema.js';
import { community } from '../daemons/communities.js';
import {
  type AttributeSets,
  hasSets,
  isRulesFilter,
  policyForFamily,
  sessionTimers,
  toPolicy,
} from '../daemons/policy.js';
import { parseCidr } from '../net/ip.js';
import { frrPolicyLines, frrSets } from './frr-policy.js';

type Family = 'ipv4' | 'ipv6';
type PlainFilter = Exclude<Filter, { rules: unknown }>;

/** Filters the plain prefix and standard-community lists render; the rest go the policy way. */
const plainFilter = (f: Filter): f is PlainFilter =>
  !isRulesFilter(f) &&
  (typeof f === 'string' ||
    Array.isArray(f) ||
    (f.communities ?? []).every((c) => community(c).kind === 'standard'));

interface RouteMap {
  name: string;
  family: Family;
  action: 'permit' | 'deny';
  prefixList?: string;
  communityList?: string;
}

const familyOfPrefix = (p: string): Family => (parseCidr(p).family === 4 ? 'ipv4' : 'ipv6');

/** One route-map (and its prefix and community lists) for a filter, in one family. */
function routeMapFor(name: string, filter: PlainFilter, family: Family) {
  const prefixLists: { name: string; family: Family; prefixes: string[] }[] = [];
  const communityLists: { name: string; communities: string[] }[] = [];
  if (filter === 'all' || filter === 'none')
    return {
      map: { name, family, action: filter === 'all' ? 'permit' : 'deny' } as RouteMap,
      prefixLists,
      communityLists,
    };
  const prefixes = Array.isArray(filter) ? filter : filter.prefixes;
  const communities = Array.isArray(filter) ? undefined : filter.communities;
  const map: RouteMap = { name, family, action: 'permit' };
  if (prefixes) {
    const own = prefixes.filter((p) => familyOfPrefix(p) === family);
    if (!own.length)
      return { map: { name, family, action: 'deny' } as RouteMap, prefixLists, communityLists };
    prefixLists.push({ name, family, prefixes: own });
    map.prefixList = name;
  }
  if (communities?.length) {
    communityLists.push({ name: `${name}-C`, communities });
    map.communityList = `${name}-C`;
  }
  return { map, prefixLists, communityLists };
}

export function frrRouterView(lab: Lab, node: Node) {
  const bgp = node.bgp;
  const neighbors = bgp?.neighbors ?? [];
  const originate = bgp?.originate ?? [];
  const maps: RouteMap[] = [];
  const prefixLists: ReturnType<typeof routeMapFor>['prefixLists'] = [];
  const communityLists: ReturnType<typeof routeMapFor>['communityLists'] = [];
  const mapName = (dir: 'IMPORT' | 'EXPORT', family: Family, filter: Filter): string => {
    if (!plainFilter(filter)) return policyMap(`LAB-${dir}${family === 'ipv4' ? 4 : 6}`, family, filter, {});
    const name = `LAB-${dir}${family === 'ipv4' ? 4 : 6}${filter === 'all' ? '-ALL' : ''}`;
    if (!maps.some((m) => m.name === name)) {
      const r = routeMapFor(name, filter, family);
      maps.push(r.map);
      prefixLists.push(...r.prefixLists);
      communityLists.push(...r.communityLists);
    }
    return name;
  };
  const policyLines: string[] = [];
  /** A route-map from the policy path: the node's rules-form filter (shared), or a session's own. */
  const policyMap = (name: string, family: Family, filter: Filter, sets: Partial<AttributeSets>) => {
    if (!maps.some((m) => m.name === name) && !policyNames.has(name)) {
      policyNames.add(name);
      policyLines.push(
        ...frrPolicyLines(name, policyForFamily(toPolicy(filter, sets), family), family, bgp?.as ?? 0),
      );
    }
    return name;
  };
  const policyNames = new Set<string>();
  const session = (
    dir: 'IN' | 'OUT',
    n: (typeof neighbors)[number],
    family: Family,
    filter: Filter | undefined,
    sets: Partial<AttributeSets>,
  ) => {
    const own =
      (dir === 'IN' ? n.import : n.export) !== undefined || hasSets({ add: [], strip: [], ...sets });
    if (filter === undefined) return undefined;
    const tag = `${family === 'ipv4' ? 4 : 6}`;
    if (own)
      return policyMap(
        `LAB-${dir}${tag}-${(n.node ?? n.address).replace(/[^A-Za-z0-9]/g, '-').toUpperCase()}`,
        family,
        filter,
        sets,
      );
    return mapName(dir === 'IN' ? 'IMPORT' : 'EXPORT', family, filter);
  };
  // an unnumbered session carries both families: its IPv6 side is a second entry of the same neighbor
  const expanded = neighbors.flatMap((n) =>
    n.interface
      ? [
          { ...n, alsoIpv6: false },
          { ...n, family: 'ipv6' as const, alsoIpv6: true },
        ]
      : [{ ...n, alsoIpv6: false }],
  );
  const sessions = expanded.map((n) => {
    const family = n.family ?? 'ipv4';
    // iBGP passes everything by default in FRR; eBGP needs a policy (lint asks for filters), route servers pass all
    const passAll =
      n.rsClient || (n.ibgp && (n.localPref ?? n.med ?? n.prepend) !== undefined)
        ? ('all' as const)
        : undefined;
    const imp = n.import ?? bgp?.import ?? passAll;
    const exp = n.export ?? bgp?.export ?? passAll;
    return {
      // unnumbered: FRR names the neighbor by its interface (neighbor eth0 interface remote-as ...)
      address: n.interface ?? n.address,
      interface: !!n.interface,
      /** The IPv6 side of an unnumbered session: its neighbor lines are the IPv4 side's. */
      second: !!n.alsoIpv6,
      as: n.as as number | 'internal' | 'external',
      node: n.node,
      range: undefined as string | undefined,
      family,
      updateSource: n.multihop ? n.localAddress : undefined,
      ebgpMultihop: !!n.multihop && !n.ibgp,
      password: n.password,
      bfd: !!n.bfd,
      // FRR sets BFD timers by profile (bfdd.conf), one per pair of values
      bfdProfile: n.bfdTimers && `lab-${n.bfdTimers.interval}ms-x${n.bfdTimers.multiplier}`,
      nextHopSelf: !!n.nextHopSelf,
      rrClient: !!n.rrClient,
      rsClient: !!n.rsClient,
      weight: n.weight,
      timers: sessionTimers(n.timers),
      passive: !!n.passive,
      ttlSecurity: !!n.ttlSecurity,
      allowasIn: n.allowasIn,
      defaultOriginate: !!n.defaultOriginate,
      removePrivateAs: !!n.removePrivateAs,
      asOverride: !!n.asOverride,
      importMap: session('IN', n, family, imp, { localPref: n.localPref }),
      exportMap: session('OUT', n, family, exp, { med: n.med, prepend: n.prepend }),
    };
  });
  const dynamic = dynamicRange(lab, node);
  if (dynamic) {
    // a peer-group that bgp listen range fills with every peer from the range
    const passAll = dynamic.ibgp ? ('all' as const) : undefined;
    const imp = bgp?.import ?? passAll;
    const exp = bgp?.export ?? passAll;
    sessions.push({
      address: 'DYNAMIC',
      interface: false,
      second: false,
      as: dynamic.ibgp ? 'internal' : 'external',
      node: undefined,
      range: dynamic.range,
      family: dynamic.family,
      updateSource: undefined,
      ebgpMultihop: false,
      password: undefined,
      bfd: false,
      bfdProfile: undefined as string | undefined,
      nextHopSelf: false,
      rrClient: false,
      rsClient: false,
      weight: undefined,
      timers: sessionTimers(undefined),
      passive: false,
      ttlSecurity: false,
      allowasIn: undefined,
      defaultOriginate: false,
      removePrivateAs: false,
      asOverride: false,
      importMap: imp === undefined ? undefined : mapName('IMPORT', dynamic.family, imp),
      exportMap: exp === undefined ? undefined : mapName('EXPORT', dynamic.family, exp),
    });
  }
  // each kind of community its own set line (standard ones additive, as before)
  const originateMaps = originate
    .map((o, i) => ({ ...o, map: o.communities.length ? `LAB-ORIGINATE-${i + 1}` : undefined }))
    .map((o) => ({ ...o, set: o.communities.join(' '), sets: originateSets(o.communities) }));
  const families = (['ipv4', 'ipv6'] as Family[])
    .map((family) => ({
      family,
      sessions: sessions.filter((s) => s.family === family),
      networks: originateMaps.filter((o) => o.family === family),
    }))
    .filter((f) => f.sessions.length || f.networks.length);
  const ospf = node.ospf;
  return {
    lab: { name: lab.name },
    node,
    bgp: bgp && {
      as: bgp.as,
      routerId: bgp.routerId,
      clusterId: bgp.routeReflector?.clusterId,
      ecmpLimit: bgp.ecmpLimit,
      sessions,
      families,
      maps,
      prefixLists,
      communityLists,
      originateMaps: originateMaps.filter((o) => o.map),
      policyLines,
    },
    bfd: sessions.some((s) => s.bfd),
    bfdProfiles: [
      ...new Map(
        neighbors.flatMap((n) =>
          n.bfdTimers
            ? [[`lab-${n.bfdTimers.interval}ms-x${n.bfdTimers.multiplier}`, n.bfdTimers] as const]
            : [],
        ),
      ),
    ].map(([name, t]) => ({ name, ...t })),
    ospf: ospf && {
      routerId: ospf.routerId,
      interfaces: ospf.interfaces.filter((i) => i.name !== 'lo'),
      networks: ospf.interfaces.map((i) => ({ prefix: i.prefix, area: i.area })),
      passive: ospf.interfaces.filter((i) => i.passive && i.name !== 'lo').map((i) => i.name),
      ipv6: ospf.ipv6 && (node.interfaces.some((i) => i.address6) || !!node.loopback?.ipv6),
      loopbackArea:
        ospf.interfaces.find((i) => i.name === 'lo')?.area ?? ospf.interfaces[0]?.area ?? '0.0.0.0',
    },
  };
}

export type FrrRouterView = ReturnType<typeof frrRouterView>;

/** The set lines that attach an originated prefix's communities of every kind. */
function originateSets(communities: string[]): string[] {
  return frrSets({ add: communities.map(community), strip: [] }, 0, '', []);
}
