// Address questions about a lab: which of a node's addresses faces a peer, which node holds an address.

import { containsAddress, parseIPv4, parsePrefix } from '../net/ipv4.js';
import type { Path } from './issue.js';
import { birdName, type Lab, type Neighbor, type Node, networkByName, nodeByAddress } from './lab.js';

/** The local address a node uses towards a peer: its interface on a network that holds the peer. */
export function localAddressTowards(lab: Lab, node: Node, peerAddress: string): string | undefined {
  const peer = parseIPv4(peerAddress);
  return node.interfaces.find((i) => {
    const net = networkByName(lab, i.network);
    return net && containsAddress(parsePrefix(net.prefix), peer);
  })?.address;
}

/** Neighbors from peer addresses (add-on resources name addresses, not nodes). */
export function neighborsFromAddresses(
  lab: Lab,
  peers: { address: string; as: number; path: Path }[],
): Neighbor[] {
  return peers.map((p) => {
    const node = nodeByAddress(lab, p.address);
    return {
      node: node?.name,
      address: p.address,
      as: p.as,
      protocol: birdName(node?.name ?? p.address),
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
  const shared = peer.interfaces.find((pi) => from?.interfaces.some((fi) => fi.network === pi.network));
  const address = (shared ?? peer.interfaces[0])?.address;
  return address === undefined ? undefined : { address, shared: !!shared };
}
