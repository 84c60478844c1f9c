// Calico's node agent runs BIRD: iBGP with its cluster's BGPPeers (and the mesh, when on), announcing its blocks.

import { localAddressTowards, neighborsFromAddresses } from './addressing.js';
import { formatIPv4, formatPrefix, hostAt, parsePrefix, subnetAt } from './ipv4.js';
import type { PushIssue } from './issue.js';
import type { Lab, Neighbor } from './lab.js';
import { birdName } from './lab.js';

export function deriveCalicoBgp(lab: Lab, push: PushIssue): void {
  for (const cluster of lab.clusters) {
    const addon = cluster.addons.calico;
    if (!addon) continue;
    const path = [...cluster.path, 'addons', 'calico'];
    const calicoNodes = lab.nodes.filter(
      (n) => cluster.members.includes(n.name) && n.roles.includes('calico-node'),
    );
    if (!calicoNodes.length) {
      push({
        code: 'calico-no-node',
        severity: 'warning',
        path,
        message: `cluster ${cluster.name} has Calico but no member with the calico-node role`,
        hint: 'no node announces pod blocks: add the role to the cluster members',
      });
    }
    for (const node of calicoNodes) {
      const peers = neighborsFromAddresses(
        lab,
        addon.peers.map((p, i) => ({ address: p.peer_ip, as: p.as as number, path: [...path, 'peers', i] })),
      );
      const mesh: Neighbor[] = addon.node_to_node_mesh
        ? calicoNodes
            .filter((m) => m !== node)
            .map((m) => ({
              node: m.name,
              address: m.interfaces[0].address,
              as: addon.as as number,
              protocol: birdName(m.name),
              path,
            }))
        : [];
      const towards = peers[0]?.address ?? mesh[0]?.address;
      node.bgp = {
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
  }
}

/** Each Calico node's block: the n-th block of its cluster's first pool, n its place among the cluster's
 * Calico nodes (Calico hands blocks out on demand; a fixed one per node keeps addresses predictable). */
function assignBlocks(lab: Lab): void {
  for (const cluster of lab.clusters) {
    const pool = cluster.addons.calico?.pools[0];
    if (!pool) continue;
    const nodes = lab.nodes.filter(
      (n) => cluster.members.includes(n.name) && n.roles.includes('calico-node'),
    );
    nodes.forEach((n, i) => {
      lab.blocks[n.name] = formatPrefix(subnetAt(parsePrefix(pool.cidr), pool.block_size, i));
    });
  }
}

/** Workloads take the next address of their node's block, in the order the lab lists them. */
export function resolveWorkloads(lab: Lab, push: PushIssue): void {
  assignBlocks(lab);
  const taken = new Map<string, number>();
  lab.raw.workloads.forEach((w, i) => {
    const path = ['workloads', i];
    const block = lab.blocks[w.node];
    if (!block) {
      const why = lab.nodes.some((n) => n.name === w.node)
        ? `${w.node} is not a calico-node`
        : `no node named '${w.node}'`;
      push({
        code: 'unknown-reference',
        path: [...path, 'node'],
        message: `workload ${w.name}: ${why}`,
        hint: 'workloads land on nodes with the calico-node role, which hand out their addresses',
      });
      return;
    }
    const n = (taken.get(w.node) ?? 0) + 1;
    taken.set(w.node, n);
    lab.workloads.push({
      name: w.name,
      node: w.node,
      address: formatIPv4(hostAt(parsePrefix(block), n)),
      block,
      serve: w.serve,
      path,
    });
  });
}
