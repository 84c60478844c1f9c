// The topology as people draw it, independent of any drawing format: clusters, nodes, networks,
// links (a node's interface on a network) and BGP sessions (one edge per pair of speakers).
import type { Lab } from '../core/lab.js';

export interface TopologyNode {
  name: string;
  roles: string[];
  cluster?: string;
  /** AS number and route-reflector mark, when the node speaks BGP */
  as?: number;
  reflector?: boolean;
}

export interface TopologyCluster {
  name: string;
  kind: string;
  as?: number;
}

export interface TopologyNetwork {
  name: string;
  prefix: string;
}

export interface Link {
  node: string;
  network: string;
  address: string;
}

export interface SessionEdge {
  /** both ends: node names, or a bare address for a peer no node of the lab holds */
  a: string;
  b: string;
  asA: number;
  asB: number;
  /** b is an address outside the lab's nodes */
  external?: boolean;
}

export interface Topology {
  lab: string;
  clusters: TopologyCluster[];
  nodes: TopologyNode[];
  networks: TopologyNetwork[];
  links: Link[];
  sessions: SessionEdge[];
}

export function topologyOf(lab: Lab): Topology {
  const sessions = new Map<string, SessionEdge>();
  for (const node of lab.nodes) {
    for (const n of node.bgp?.neighbors ?? []) {
      const peer = n.node ?? n.address;
      // one edge per pair, whichever side declared it first
      const key = [node.name, peer].sort().join('\u0000');
      if (sessions.has(key)) continue;
      sessions.set(key, {
        a: node.name,
        b: peer,
        asA: node.bgp!.as,
        asB: n.as,
        ...(n.node ? {} : { external: true }),
      });
    }
  }
  return {
    lab: lab.name,
    clusters: lab.clusters.map((c) => ({ name: c.name, kind: c.kind, ...(c.as ? { as: c.as } : {}) })),
    nodes: lab.nodes.map((n) => ({
      name: n.name,
      roles: n.roles,
      ...(n.cluster ? { cluster: n.cluster } : {}),
      ...(n.bgp ? { as: n.bgp.as } : {}),
      ...(n.bgp?.routeReflector ? { reflector: true } : {}),
    })),
    networks: lab.networks.map((n) => ({ name: n.name, prefix: n.prefix ?? n.prefix6 ?? '' })),
    links: lab.nodes.flatMap((n) =>
      n.interfaces.map((i) => ({ node: n.name, network: i.network, address: i.address ?? i.address6 ?? '' })),
    ),
    sessions: [...sessions.values()],
  };
}

/** "eBGP 11000–22000" or "iBGP 64511": what a session edge says. */
export function sessionLabel(s: SessionEdge): string {
  return s.asA === s.asB ? `iBGP ${s.asA}` : `eBGP ${s.asA}–${s.asB}`;
}

/** A node's second line: its roles, and its AS when it speaks BGP. */
export function nodeCaption(n: TopologyNode): string {
  const bgp = n.as ? [`AS ${n.as}${n.reflector ? ' RR' : ''}`] : [];
  return [...n.roles, ...bgp].join(', ');
}
