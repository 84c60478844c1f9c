// Host-level names of an instance. Namespaces carry the lab's names for people; links, limited to
// 15 characters, carry a short hash. Everything starts with a prefix that gc can find.
import { createHash } from 'node:crypto';
import type { Lab } from '../../core/lab.js';

export const NETNS_PREFIX = 'lab.';
/** The root-namespace link of an instance: lab + 5 hex digits. */
export const LINK_PATTERN = /^lab[0-9a-f]{5}$/;

export function instanceTag(lab: string, instance: string): string {
  return createHash('sha256').update(`${lab}/${instance}`).digest('hex').slice(0, 5);
}

export interface Names {
  /** The switch namespace: bridges of every lab network and of management. */
  switchNs: string;
  nodeNs(node: string): string;
  /** The instance's one link in the root namespace (its peer is the switch's uplink). */
  rootLink: string;
  /** The bridge of a lab network inside the switch namespace. */
  bridge(network: string): string;
  /** Switch-side end of a node's interface: n<node index>e<interface index>, or n<index>m for management. */
  port(nodeIndex: number, ifIndex: number | 'm'): string;
}

export function namesOf(lab: Pick<Lab, 'name' | 'networks'>, instance: string): Names {
  const base = `${NETNS_PREFIX}${lab.name}.${instance}`;
  const netIndex = (network: string) => lab.networks.findIndex((n) => n.name === network);
  return {
    switchNs: base,
    nodeNs: (node) => `${base}.${node}`,
    rootLink: `lab${instanceTag(lab.name, instance)}`,
    // a network name is the bridge name when it fits in 15 characters (and is not ours)
    bridge: (network) =>
      network.length <= 15 && network !== 'mgmt' && network !== 'uplink'
        ? network
        : `net${netIndex(network)}`,
    port: (nodeIndex, ifIndex) => `n${nodeIndex}${ifIndex === 'm' ? 'm' : `e${ifIndex}`}`,
  };
}
