// Address questions about a lab: which of a node's addresses faces a peer, which node holds an address.

import { containsAddress, parseIPv4, parsePrefix } from './ipv4.js';
import type { Path } from './issue.js';
import { birdName, type Lab, type Neighbor, type Node, nodeByAddress } from './lab.js';

/** The local address a node uses towards a peer: its interface on a network that holds the peer. */
export function localAddressTowards(lab: Lab, node: Node, peerAddress: string): string | undefined {
  const peer = parseIPv4(peerAddress);
  return node.interfaces.find((i) => {
    const net = lab.networks.find((n) => n.name === i.network);
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
