// Address questions about a lab: which of a node's addresses faces a peer, which node holds an address.

import { cidrContains, familyOf, formatAddress, parseCidr } from '../net/ip.js';
import type { Path } from './issue.js';
import {
  addressesOf,
  birdName,
  type Lab,
  type Neighbor,
  type Node,
  networkByName,
  nodeByAddress,
} from './lab.js';

/** The local address a node uses towards a peer: its interface's address of the peer's family on a
 * network that holds the peer. */
export function localAddressTowards(lab: Lab, node: Node, peerAddress: string): string | undefined {
  const six = familyOf(peerAddress) === 6;
  for (const i of node.interfaces) {
    const prefix = six ? networkByName(lab, i.network)?.prefix6 : networkByName(lab, i.network)?.prefix;
    if (prefix && cidrContains(parseCidr(prefix), peerAddress)) return six ? i.address6 : i.address;
  }
  return undefined;
}

/** Neighbors from peer addresses (add-on resources name addresses, not nodes); given the local node,
 * each session takes its address on the network it shares with that peer, of the peer's family. */
export function neighborsFromAddresses(
  lab: Lab,
  peers: { address: string; as: number; path: Path }[],
  local?: Node,
): Neighbor[] {
  return peers.map((p) => {
    const node = nodeByAddress(lab, p.address);
    const six = familyOf(p.address) === 6;
    const localAddress = local && localAddressTowards(lab, local, p.address);
    return {
      node: node?.name,
      address: p.address,
      as: p.as,
      // a node peered over both families gets two sessions: their BIRD names must differ
      protocol: birdName(`${node?.name ?? p.address}${six && node ? '_v6' : ''}`),
      ...(six ? { family: 'ipv6' as const } : {}),
      ...(localAddress ? { localAddress } : {}),
      path: p.path,
    };
  });
}

/** The address `from` reaches `peer` by: on a network they share, else the peer's first (then the
 * session or packet crosses routers). */
export function addressTowards(
  from: Node | undefined,
  peer: Node,
): { address: string; shared: boolean } | undefined {
  // a spine of a large fabric has a thousand links: the networks of `from` in a set, not a scan each
  const mine = new Set(from?.interfaces.map((fi) => fi.network));
  const shared = peer.interfaces.find((pi) => mine.has(pi.network));
  const address = (shared ?? peer.interfaces[0])?.address;
  return address === undefined ? undefined : { address, shared: !!shared };
}

/** A router id: the explicit one, the IPv4 loopback, the first IPv4 interface address; a node with
 * no IPv4 at all (IPv6 only) gets its place in the lab as a number (0.0.0.N), unique in the lab. */
export function routerIdOf(lab: Lab, node: Node, explicit?: string): string {
  const own = explicit ?? node.loopback?.ipv4 ?? node.interfaces.find((i) => i.address)?.address;
  if (own) return own;
  const n = lab.nodes.indexOf(node) + 1;
  return [24, 16, 8, 0].map((s) => (n >>> s) & 255).join('.');
}

/** The node's first address, IPv4 if it has one (hosts files, logs). */
export function firstAddressOf(node: Node): string | undefined {
  return node.interfaces.find((i) => i.address)?.address ?? node.interfaces.find((i) => i.address6)?.address6;
}

/** A node's dynamic neighbors (bgp.neighbor_range): the lab's nodes that peer with it from inside the
 * range, whether they are all in its AS (iBGP), and its own address on the range's network. */
export function dynamicRange(lab: Lab, node: Node) {
  const range = node.bgp?.neighborRange;
  if (!range) return undefined;
  const c = parseCidr(range);
  const inRange = (n: Node) => addressesOf(n).find((a) => familyOf(a) === c.family && cidrContains(c, a));
  const peers = lab.nodes.filter(
    (n) => n !== node && n.bgp?.neighbors.some((x) => x.node === node.name) && inRange(n),
  );
  const first = formatAddress(c.family, c.network);
  return {
    range,
    family: c.family === 6 ? ('ipv6' as const) : ('ipv4' as const),
    peers: peers.map((p) => ({ node: p.name, address: inRange(p)! })),
    ibgp: peers.length > 0 && peers.every((p) => p.bgp?.as === node.bgp?.as),
    local: localAddressTowards(lab, node, first),
  };
}

/**
 * The MAC address of a node's interface on netns: locally administered, from the node's place in the
 * lab and the interface's, so that its IPv6 link-local address (EUI-64) is known before the lab runs:
 * a check can tell which node a link-local next hop belongs to.
 */
export function interfaceMac(nodeIndex: number, interfaceIndex: number): string {
  // a fabric's spine has a thousand interfaces: their index's high byte last (0 below 256, as before)
  const bytes = [
    0x02,
    0x1a,
    (nodeIndex >> 8) & 0xff,
    nodeIndex & 0xff,
    interfaceIndex & 0xff,
    (interfaceIndex >> 8) & 0xff,
  ];
  return bytes.map((b) => b.toString(16).padStart(2, '0')).join(':');
}

/** The EUI-64 link-local address the kernel gives an interface with this MAC, in canonical form. */
export function linkLocalOf(mac: string): string {
  const b = mac.split(':').map((h) => Number.parseInt(h, 16));
  const eui = [b[0] ^ 0x02, b[1], b[2], 0xff, 0xfe, b[3], b[4], b[5]];
  let value = 0xfe80n << 112n;
  for (let k = 0; k < 8; k++) value |= BigInt(eui[k]) << BigInt(8 * (7 - k));
  return formatAddress(6, value);
}

/** The link-local address of a node's interface on a network, as netns gives it (interfaceMac). */
export function linkLocalTowards(lab: Lab, node: Node, network: string): string | undefined {
  const j = node.interfaces.findIndex((i) => i.network === network);
  if (j < 0) return undefined;
  return linkLocalOf(interfaceMac(lab.nodes.indexOf(node), j));
}
