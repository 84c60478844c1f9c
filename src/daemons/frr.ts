// FRR: bgpd alone (MetalLB's speaker in FRR mode), or a full router (zebra, bgpd, ospfd, bfdd: the
// frr-router role). Its vty sockets sit in the node's /run/frr; vtysh shows its state as JSON.
import { isLinkLocal } from '../net/ip.js';
import { frrShownCommunity } from './communities.js';
import { type Daemon, type RouteFacts, type Session, type StartCommand, sessionAddresses } from './daemon.js';

/** The JSON in vtysh's output (it may print a warning line first). */
export function parseJson(output: string): unknown {
  const start = output.search(/[[{]/);
  if (start < 0) throw new Error('no JSON in the output');
  return JSON.parse(output.slice(start));
}

/** vtysh show bgp neighbors json (or show bgp summary json): state by neighbor address. */
export function frrSessions(output: string): Map<string, string> {
  const data = parseJson(output) as Record<string, unknown>;
  const out = new Map<string, string>();
  for (const [key, value] of Object.entries(data)) {
    const v = value as Record<string, unknown>;
    if (typeof v?.bgpState === 'string') out.set(key, v.bgpState);
    // summary: { ipv4Unicast: { peers: { addr: { state } } } }
    const peers = (v?.peers ?? {}) as Record<string, { state?: string }>;
    for (const [addr, p] of Object.entries(peers)) if (p?.state) out.set(addr, p.state);
  }
  return out;
}

interface FrrPath {
  bestpath?: { overall?: boolean; selectionReason?: string };
  valid?: boolean;
  originatorId?: string;
  clusterList?: { list?: string[] };
  community?: { list?: string[]; string?: string };
  largeCommunity?: { list?: string[]; string?: string };
  extendedCommunity?: { string?: string };
  locPrf?: number;
  metric?: number;
  aspath?: { string?: string; segments?: { list?: number[] }[] };
  nexthops?: { ip?: string; accessible?: boolean; interface?: string }[];
  peer?: { interface?: string };
}

/** Each community of a path in the lab's form (FRR names well-known ones: noExport). */
function frrCommunities(p: FrrPath): string[] {
  const words = (c: { list?: string[]; string?: string } | undefined) =>
    c?.list ?? c?.string?.split(' ').filter(Boolean) ?? [];
  return [...words(p.community), ...words(p.largeCommunity), ...words(p.extendedCommunity)].map(
    frrShownCommunity,
  );
}

/** vtysh show bgp ipv4 unicast PREFIX json: the best path's attributes. */
export function frrRoute(output: string): RouteFacts | undefined {
  const data = parseJson(output) as { paths?: FrrPath[] };
  const paths = data.paths ?? [];
  const best = paths.find((p) => p.bestpath?.overall) ?? paths[0];
  if (!best) return undefined;
  // an unnumbered peer's global next hop is ::, its link-local one follows (RFC 8950)
  const hop = best.nexthops?.find((n) => n.ip && n.ip !== '::');
  const via = hop?.ip && isLinkLocal(hop.ip) ? (hop.interface ?? best.peer?.interface) : undefined;
  return {
    nextHop: hop?.ip,
    ...(via ? { nextHopInterface: via } : {}),
    originator: best.originatorId,
    clusterList: best.clusterList?.list ?? [],
    communities: frrCommunities(best),
    // FRR shows no locPrf on a path that keeps the default
    localPref: best.locPrf ?? 100,
    med: best.metric,
    asPath: best.aspath?.segments?.flatMap((s) => s.list ?? []) ?? [],
    reason: best.bestpath?.selectionReason,
    paths: paths.length,
    reachable: best.valid !== false && best.nexthops?.some((n) => n.accessible !== false) !== false,
  };
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

/** vtysh show bfd peers json: status by peer address. */
export function frrBfdPeers(output: string): Map<string, string> {
  const data = parseJson(output) as { peer?: string; status?: string }[];
  const out = new Map<string, string>();
  for (const p of [data].flat()) if (p?.peer && p.status) out.set(p.peer, p.status);
  return out;
}

/** How one FRR daemon starts on a node: daemonized, its own config, sockets under the node's private /run. */
export function frrStart(daemon: string, extra = ''): StartCommand {
  return {
    name: daemon,
    run: `/usr/lib/frr/${daemon} -d -P 0 -f /etc/frr/${daemon}.conf -i /run/frr/${daemon}.pid --vty_socket /run/frr -u frr -g frr${extra}`,
    pidfile: `/run/frr/${daemon}.pid`,
    program: daemon,
  };
}

export const frr: Daemon = {
  name: 'frr',
  package: 'frr',
  commands: ['bgpd', 'vtysh'],
  start: {
    name: 'bgpd',
    run: 'mkdir -p /run/frr && touch /var/log/bgpd.log && chown frr:frr /run/frr /var/log/bgpd.log && /usr/lib/frr/bgpd -d -Z -P 0 -f /etc/frr/bgpd.conf -i /run/frr/bgpd.pid --vty_socket /run/frr -u frr -g frr',
    pidfile: '/run/frr/bgpd.pid',
    program: 'bgpd',
  },
  validator: { tool: 'vtysh -C', command: ({ path }) => ['vtysh', '-C', '-f', path] },
  bgp: {
    showSessions: "vtysh -c 'show bgp neighbors json'",
    parseSessions: (output) =>
      new Map(
        [...frrSessions(output)].map(([peer, state]): [string, Session] => [
          peer,
          { peer, state, established: state === 'Established' },
        ]),
      ),
    // an unnumbered neighbor is its interface (neighbor eth0 interface): FRR files it under that name
    sessionKeys: (self, peer) => {
      const own = self?.bgp?.neighbors.filter((n) => n.node === peer.name) ?? [];
      const keys = own.map((n) => n.interface ?? n.address);
      return keys.length ? [...new Set(keys)] : sessionAddresses(self, peer);
    },
  },
  showRoute: (prefix) => `vtysh -c 'show bgp ipv4 unicast ${prefix} json'`,
  routing: {
    parseRoute: frrRoute,
    showOspfNeighbors: "vtysh -c 'show ip ospf neighbor json'",
    parseOspfNeighbors: frrOspfNeighbors,
    showBfdSessions: "vtysh -c 'show bfd peers json'",
    parseBfdSessions: frrBfdPeers,
  },
};
