// What the Cilium add-on derives from the lab: each agent node's share of its cluster's pool (as
// cluster-pool IPAM hands out one /24 per node, in member order), its router IP, its kvstore, and each
// Service's ClusterIP.

import type { Cluster, Lab, Node } from '../../core/lab.js';
import { broadcast, formatIPv4, formatPrefix, hostAt, parsePrefix, subnetAt } from '../../net/ipv4.js';
import type { AgentConfig } from './agent/config.js';
import { CLUSTERMESH_DIR, HEALTH_PORT } from './agent/config.js';
import type { CiliumService } from './schema.js';

/** Cilium's default pool when ipam.operator.clusterPoolIPv4PodCIDRList is not set: the same in every cluster. */
export const DEFAULT_POOL = '10.0.0.0/8';
export const TUNNEL_OVERHEAD = 50;
export const VXLAN_PORT = 8472;
export const GENEVE_PORT = 6081;
/** One VNI for every packet: Cilium's eBPF puts the sender's identity there; a plain device carries one. */
export const VNI = 2;
export const AGENT_ROLE = 'cilium-agent';

export const ciliumClusters = (lab: Lab): Cluster[] => lab.clusters.filter((c) => c.addons.cilium);
export const clusterNameOf = (c: Cluster): string => c.addons.cilium?.cluster_name ?? c.name;
export const poolOf = (c: Cluster): string => c.podSubnet ?? DEFAULT_POOL;

/** The agent nodes of a cluster, in member order: the order their pod CIDRs are handed out. */
export function agentNodes(lab: Lab, c: Cluster): Node[] {
  return c.members.flatMap((m) => lab.nodes.filter((n) => n.name === m && n.roles.includes(AGENT_ROLE)));
}

/** The node's /24 (or the configured mask size) of the cluster pool; undefined when the pool is too small. */
export function podCidrOf(lab: Lab, node: Node): string | undefined {
  const c = lab.clusters.find((cl) => cl.name === node.cluster);
  const ci = c?.addons.cilium;
  if (!c || !ci) return undefined;
  const i = agentNodes(lab, c).findIndex((n) => n.name === node.name);
  if (i < 0) return undefined;
  try {
    const pool = parsePrefix(poolOf(c));
    if (ci.cluster_pool_mask_size < pool.length || i >= 2 ** (ci.cluster_pool_mask_size - pool.length))
      return undefined;
    return formatPrefix(subnetAt(pool, ci.cluster_pool_mask_size, i));
  } catch {
    return undefined;
  }
}

/** cilium_host's address: the last usable of the node's CIDR, so pods take addresses from the first. */
export const routerIpOf = (podCidr: string): string => formatIPv4(broadcast(parsePrefix(podCidr)) - 1);

export function underlayMtuOf(lab: Lab, node: Node): number {
  const net = lab.networks.find((n) => n.name === node.interfaces[0]?.network);
  return net?.mtu ?? 1500;
}

/** The pods' MTU: Helm's MTU when set, else the underlay's minus the tunnel's 50 bytes. */
export function podMtuOf(lab: Lab, node: Node, c: Cluster): number {
  const set = c.addons.cilium?.mtu ?? 0;
  return set > 0 ? set : underlayMtuOf(lab, node) - TUNNEL_OVERHEAD;
}

/** The clustermesh-apiserver's endpoint: its etcd on the control plane's address, at the node port. */
export function kvstoreOf(lab: Lab, c: Cluster): string | undefined {
  const cp = lab.nodes.find((n) => n.name === c.controlPlane);
  const ci = c.addons.cilium;
  const address = cp?.interfaces[0]?.address;
  return ci && address ? `http://${address}:${ci.clustermesh_node_port}` : undefined;
}

export function serviceIpOf(c: Cluster, svc: CiliumService, index: number): string | undefined {
  if (svc.cluster_ip) return svc.cluster_ip;
  if (!c.serviceSubnet) return undefined;
  try {
    return formatIPv4(hostAt(parsePrefix(c.serviceSubnet), 10 + index));
  } catch {
    return undefined;
  }
}

/** The agent's configuration on a node; undefined when the lab leaves something out (lint says what). */
export function agentConfigOf(lab: Lab, node: Node): AgentConfig | undefined {
  const c = lab.clusters.find((cl) => cl.name === node.cluster);
  const ci = c?.addons.cilium;
  const podCIDR = podCidrOf(lab, node);
  const kvstore = c && kvstoreOf(lab, c);
  const ifc = node.interfaces[0];
  // an IPv6-only node has no agent config (lint: ipv6-only-unsupported)
  if (!c || !ci || !podCIDR || !kvstore || !ifc?.address || c.id === undefined) return undefined;
  return {
    cluster: clusterNameOf(c),
    clusterId: c.id,
    node: node.name,
    nodeIP: ifc.address,
    device: ifc.name,
    underlayMtu: underlayMtuOf(lab, node),
    mtu: podMtuOf(lab, node, c),
    podCIDR,
    routerIP: routerIpOf(podCIDR),
    tunnel: { protocol: 'vxlan', port: VXLAN_PORT, vni: VNI },
    kvstore,
    clustermeshDir: CLUSTERMESH_DIR,
    exportServices: node.name === c.controlPlane,
    leaseTTL: 10,
    healthPort: HEALTH_PORT,
  };
}

/** Each agent node's pod CIDR, where the lab's workloads on it take their addresses. */
export function ciliumBlocks(lab: Lab): Record<string, string> {
  const out: Record<string, string> = {};
  for (const c of ciliumClusters(lab))
    for (const n of agentNodes(lab, c)) {
      const cidr = podCidrOf(lab, n);
      if (cidr) out[n.name] = cidr;
    }
  return out;
}
