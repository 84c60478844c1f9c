// Calico's node agent runs BIRD: iBGP with its cluster's BGPPeers (and the mesh, when on), announcing
// its blocks. Each Calico node holds one pod block, where the workloads that land on it take addresses.
import { localAddressTowards, neighborsFromAddresses } from '../../core/addressing.js';
import type { PushIssue } from '../../core/issue.js';
import { birdName, type Cluster, type Lab, type Neighbor, type Node, type NodeBgp } from '../../core/lab.js';
import { formatPrefix, parsePrefix, subnetAt } from '../../net/ipv4.js';

export const NODE_ROLE = 'calico-node';
/** Where calico-node's tool that wires workloads lives on its node. */
export const WORKLOAD_TOOL = '/etc/lab/bin/workload';

const calicoNodesOf = (lab: Lab, cluster: Cluster) =>
  lab.nodes.filter((n) => cluster.members.includes(n.name) && n.roles.includes(NODE_ROLE));

/** Warnings about a Calico without nodes; then each Calico node's block: the n-th block of its
 * cluster's first pool, n its place among the cluster's Calico nodes (Calico hands blocks out on
 * demand; a fixed one per node keeps addresses predictable). */
export function deriveCalico(lab: Lab, push: PushIssue): void {
  for (const cluster of lab.clusters) {
    const addon = cluster.addons.calico;
    if (!addon) continue;
    const nodes = calicoNodesOf(lab, cluster);
    if (!nodes.length) {
      push({
        code: 'calico-no-node',
        severity: 'warning',
        path: [...cluster.path, 'addons', 'calico'],
        message: `cluster ${cluster.name} has Calico but no member with the calico-node role`,
        hint: 'no node announces pod blocks: add the role to the cluster members',
      });
    }
    const pool = addon.pools[0];
    nodes.forEach((n, i) => {
      lab.blocks[n.name] = formatPrefix(subnetAt(parsePrefix(pool.cidr), pool.block_size, i));
    });
  }
}

/** A Calico node peers with the cluster's BGPPeers (and every other Calico node when the mesh is on). */
export function calicoBgp(lab: Lab, cluster: Cluster, node: Node): NodeBgp | undefined {
  const addon = cluster.addons.calico;
  if (!addon || !node.roles.includes(NODE_ROLE)) return undefined;
  const path = [...cluster.path, 'addons', 'calico'];
  const peers = neighborsFromAddresses(
    lab,
    addon.peers.map((p, i) => ({ address: p.peer_ip, as: p.as as number, path: [...path, 'peers', i] })),
  );
  const mesh: Neighbor[] = addon.node_to_node_mesh
    ? calicoNodesOf(lab, cluster)
        .filter((m) => m.name !== node.name)
        .map((m) => ({
          node: m.name,
          address: m.interfaces[0].address ?? '', // IPv4 here: lint refuses IPv6-only calico nodes
          as: addon.as as number,
          protocol: birdName(m.name),
          path,
        }))
    : [];
  const towards = peers[0]?.address ?? mesh[0]?.address;
  return {
    as: addon.as as number,
    routerId: node.interfaces[0]?.address ?? '0.0.0.0',
    localAddress:
      (towards && localAddressTowards(lab, node, towards)) || node.interfaces[0]?.address || '0.0.0.0',
    neighbors: [...peers, ...mesh],
    import: 'all',
    // a node announces only the blocks it holds, all inside the cluster's pools
    export: addon.pools.map((p) => p.cidr),
    source: 'calico',
    path,
  };
}
