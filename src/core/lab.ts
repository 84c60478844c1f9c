// The resolved lab: the one typed model that lint, render, plan and run read.

import { prefixOf } from '../net/ip.js';
import type { StaticRoute } from '../net/static-routes.js';
import type { Path } from './issue.js';
import type { AddonSettings, Expectation, Filter, RawCluster, RawLab } from './schema.js';

/** A lab file's parameter, after its default and --set. */
export type ParamValue = string | number | boolean;
export type ParamValues = Record<string, ParamValue>;

export interface Network {
  name: string;
  /** The IPv4 prefix; absent on an IPv6-only network. */
  prefix?: string;
  length?: number;
  gateway?: string;
  mtu: number;
  /** Dual stack: the IPv6 prefix beside the IPv4 one. */
  prefix6?: string;
  /** A point-to-point link of the lab's links: (its /31, its two nodes), wired node to node, no bridge. */
  link?: { name: string; ends: [string, string] };
  /** No addresses but the IPv6 link-local ones (BGP unnumbered). */
  unnumbered?: true;
  path: Path;
}

export interface Interface {
  name: string;
  network: string;
  /** The IPv4 address; absent on an IPv6-only network. */
  address?: string;
  /** address/len, as `ip addr add` wants it */
  cidr?: string;
  /** The IPv6 address and address/len (dual stack or IPv6 only). */
  address6?: string;
  cidr6?: string;
  path: Path;
}

export interface Neighbor {
  /** The peer node, when the address belongs to one. */
  node?: string;
  address: string;
  as: number;
  /** BIRD protocol name: letters, digits and underscores only. */
  protocol: string;
  /** The peer shares no network with us: the session crosses routers. */
  multihop?: boolean;
  /** Our address for this session: on the network shared with the peer, or our loopback. */
  localAddress?: string;
  /**
   * BGP unnumbered: the session runs between IPv6 link-local addresses on this interface (address is
   * the peer's) and carries IPv4 as well as IPv6, IPv4 with IPv6 next hops (RFC 8950).
   */
  interface?: string;
  /** The session's transport, and the one address family (NLRI) it carries. */
  family?: 'ipv4' | 'ipv6';
  /** Both ends in one AS. */
  ibgp?: boolean;
  nextHopSelf?: boolean;
  /** On a reflector: reflect this iBGP peer's routes to the others, and theirs to it. */
  rrClient?: boolean;
  /** On a route server: pass routes to this peer without our AS or a new next hop. */
  rsClient?: boolean;
  password?: string;
  bfd?: boolean;
  /** BFD timers of this session, when the lab gives them. */
  bfdTimers?: { interval: number; multiplier: number };
  /** This session's own policy, instead of the node's import/export. */
  import?: Filter;
  export?: Filter;
  /** LOCAL_PREF on routes learned from the peer; MED and prepends on routes sent to it. */
  localPref?: number;
  med?: number;
  prepend?: number;
  /** FRR's per-neighbor weight (BIRD has none: lint refuses it there). */
  weight?: number;
  timers?: { keepalive?: number; hold?: number; connect?: number };
  passive?: boolean;
  ttlSecurity?: boolean;
  /** How many times our own AS may appear in a path we accept. */
  allowasIn?: number;
  defaultOriginate?: boolean;
  removePrivateAs?: boolean;
  /** FRR only. */
  asOverride?: boolean;
  path: Path;
}

/** A prefix a node announces itself, with the communities it sets. */
export interface Originated {
  prefix: string;
  family: 'ipv4' | 'ipv6';
  communities: string[];
}

export interface OspfInterface {
  /** The interface name on the node (eth0, lo). */
  name: string;
  network?: string;
  /** The network's IPv4 prefix (OSPFv2); absent on an IPv6-only network. */
  prefix?: string;
  area: string;
  passive: boolean;
  cost?: number;
  /** Exactly two OSPF routers on the network: no DR election, adjacencies at once. */
  pointToPoint: boolean;
}

export interface NodeOspf {
  routerId: string;
  interfaces: OspfInterface[];
  ipv6: boolean;
  path: Path;
}

export interface NodeBgp {
  as: number;
  routerId: string;
  localAddress: string;
  neighbors: Neighbor[];
  neighborRange?: string;
  import?: Filter;
  export?: Filter;
  /** Multipath limit for the kernel protocol; undefined when ECMP is off. */
  ecmpLimit?: number;
  routeReflector?: { clusterId: string };
  /** Prefixes announced by this node: its loopbacks and the lab's originate list. */
  originate?: Originated[];
  /** Where this configuration came from: the lab's bgp section, or the add-on (its key) that made it. */
  source: 'lab' | keyof AddonSettings;
  path: Path;
}

export type { StaticRoute };

/**
 * A node's loopback addresses (on lo), each /32 and /128 unless the lab gives a length: `length4` and
 * `length6` are set only then, and the whole prefix is the node's own (the kernel makes it local).
 */
export interface Loopback {
  ipv4?: string;
  ipv6?: string;
  length4?: number;
  length6?: number;
}

/** The loopback address with its length, as lo holds it (10.255.0.1/32, or the lab's length). */
export const loopbackCidr = (lo: Loopback, family: 'ipv4' | 'ipv6'): string | undefined => {
  const a = lo[family];
  if (!a) return undefined;
  return `${a}/${family === 'ipv4' ? (lo.length4 ?? 32) : (lo.length6 ?? 128)}`;
};

/** The prefix the loopback announces and OSPF carries: the address's own, or the lab's prefix. */
export const loopbackPrefix = (lo: Loopback, family: 'ipv4' | 'ipv6'): string | undefined => {
  const a = lo[family];
  const length = family === 'ipv4' ? lo.length4 : lo.length6;
  if (!a) return undefined;
  return length === undefined ? `${a}/${family === 'ipv4' ? 32 : 128}` : prefixOf(a, length);
};

export interface Node {
  name: string;
  /** The group a node belongs to (worker for worker3), and its number in it. */
  group?: string;
  member?: number;
  /** A member of a `per:` group: the member of the other group it belongs to (server3 of leaf2). */
  parent?: string;
  roles: string[];
  cluster?: string;
  interfaces: Interface[];
  routes: StaticRoute[];
  /** Loopback addresses (on lo, /32 and /128 unless the lab gives a length): router id, iBGP sessions, advertised. */
  loopback?: Loopback;
  bgp?: NodeBgp;
  ospf?: NodeOspf;
  vars: Record<string, unknown>;
  path: Path;
}

export interface Cluster {
  name: string;
  kind: RawCluster['kind'];
  id?: number;
  as?: number;
  members: string[];
  controlPlane?: string;
  podSubnet?: string;
  serviceSubnet?: string;
  fabricSubnet?: string;
  kubernetesVersion?: string;
  addons: RawCluster['addons'];
  path: Path;
}

export interface Check {
  name: string;
  description?: string;
  node: string;
  run: string;
  repeat?: { count: number; var?: string; start: number };
  expect: Expectation;
  wait: string;
  /** Seconds the named wait allows. */
  timeout: number;
  path: Path;
}

/** A pod or container: a namespace inside its node with an address from the node's block. */
export interface Workload {
  name: string;
  node: string;
  address: string;
  /** The prefix its node announces for it: the node's Calico block, or the pod's own /32 (TF). */
  block: string;
  serve?: string;
  labels: Record<string, string>;
  path: Path;
}

/** A step of the tutorial: roles it starts, an optional zx script, the checks that prove it. */
/** A failure or repair a step makes on one node: interfaces down or up, a daemon stopped or started. */
export type StepAction =
  | { kind: 'link_down' | 'link_up'; node: string; interfaces: string[]; text: string }
  | { kind: 'stop' | 'start'; node: string; daemon: string; pidfile: string; text: string };

export interface Step {
  name: string;
  description: string;
  /** The roles it brings up, one entry per node. */
  roles: { node: string; role: string }[];
  /** Its zx script, relative to the lab's folder. */
  script?: string;
  /** Failures and repairs it makes, in order (before its script); absent when it makes none. */
  actions?: StepAction[];
  /** Seconds the script may run (the lab file's timeout:); unset: the default. */
  timeout?: number;
  checks: string[];
  /** Checks this step makes fail on purpose (a trap shown to a workshop): they pass before it. */
  breaks: string[];
  optional: boolean;
  path: Path;
}

/** A cluster's service: one address that every backend answers on. */
export interface Service {
  name: string;
  cluster: string;
  address: string;
  /** Workload names. */
  backends: string[];
  path: Path;
}

export interface Lab {
  name: string;
  description: string;
  file: string;
  dir: string;
  /** The provider the lab file names (PROVIDERS in providers/index.ts). */
  provider: string;
  params: ParamValues;
  managementPrefix?: string;
  networks: Network[];
  nodes: Node[];
  clusters: Cluster[];
  checks: Check[];
  waits: Record<string, number>;
  /** The tutorial's steps, in order (empty when the lab has none). */
  steps: Step[];
  workloads: Workload[];
  /** Services of the clusters: an address held by every backend workload (TF floating IPs). */
  services: Service[];
  /** The pod address block each Calico node takes when its first workload lands. */
  blocks: Record<string, string>;
  requirements: RawLab['requirements'];
  raw: RawLab;
}

// a fabric has a thousand nodes and thousands of links (each a network), looked up by name hundreds of
// thousands of times: through an index of the list, rebuilt when the list grew
const indexes = new WeakMap<{ name: string }[], Map<string, { name: string }>>();

function byName<T extends { name: string }>(list: T[], name: string): T | undefined {
  let index = indexes.get(list) as Map<string, T> | undefined;
  if (!index || index.size !== list.length) {
    index = new Map(list.map((x) => [x.name, x]));
    // names repeat only in a lab lint refuses: the index would be short, so search as before
    if (index.size !== list.length) return list.find((x) => x.name === name);
    indexes.set(list, index);
  }
  return index.get(name);
}

export function networkByName(lab: Pick<Lab, 'networks'>, name: string): Network | undefined {
  return byName(lab.networks, name);
}

export function clusterByName(lab: Pick<Lab, 'clusters'>, name: string | undefined): Cluster | undefined {
  return lab.clusters.find((c) => c.name === name);
}

/** The cluster a node belongs to (the first that lists it). */
export function clusterOf(lab: Pick<Lab, 'clusters'>, node: Pick<Node, 'cluster'>): Cluster | undefined {
  return clusterByName(lab, node.cluster);
}

export function nodeByName(lab: Lab, name: string): Node | undefined {
  return byName(lab.nodes, name);
}

/** A node name, a group name (its members) or a cluster name (its members); empty when unknown. */
export function selectNodes(lab: Lab, selector: string): Node[] {
  const exact = lab.nodes.filter((n) => n.name === selector);
  if (exact.length) return exact;
  const group = lab.nodes.filter((n) => n.group === selector);
  if (group.length) return group;
  const cluster = clusterByName(lab, selector);
  return cluster ? lab.nodes.filter((n) => cluster.members.includes(n.name)) : [];
}

export function nodeByAddress(lab: Lab, address: string): Node | undefined {
  return lab.nodes.find((n) => addressesOf(n).includes(address));
}

/** Every address a node holds: interfaces of both families and loopbacks. */
export function addressesOf(node: Node): string[] {
  return [
    ...node.interfaces.flatMap((i) => [i.address, i.address6].filter((a): a is string => !!a)),
    ...(node.loopback?.ipv4 ? [node.loopback.ipv4] : []),
    ...(node.loopback?.ipv6 ? [node.loopback.ipv6] : []),
  ];
}

/** BIRD's protocol name for a peer: BIRD's own rule, kept here for the model's readers. */
export { birdName } from '../daemons/bird.js';
