// MetalLB's speakers peer as its BGPPeer resources say and announce what its pools assign.
import { localAddressTowards, neighborsFromAddresses } from '../../core/addressing.js';
import type { PushIssue } from '../../core/issue.js';
import type { Cluster, Lab, Node, NodeBgp } from '../../core/lab.js';
import { clusterOf } from '../../core/lab.js';
import { broadcast, formatIPv4, isPrefix, parsePrefix } from '../../net/ipv4.js';
import type { MetallbConfig } from './schema.js';

export const SPEAKER_ROLE = 'metallb-speaker';

/** The address MetalLB gives the first LoadBalancer service: the first usable one of the first auto-assign pool. */
export function firstServiceAddress(addon: MetallbConfig): string | undefined {
  const pool = addon.pools.find((p) => p.auto_assign);
  if (!pool) return undefined;
  for (const cidr of pool.addresses) {
    // IPv6 pools are not emulated (lint says metallb-ipv6-pool); a malformed one is lint's too
    if (!isPrefix(cidr)) continue;
    const p = parsePrefix(cidr);
    for (let a = p.network; a <= broadcast(p); a++) {
      const last = a & 255;
      // avoidBuggyIPs: skip .0 and .255, which some old clients treat as network/broadcast
      if (pool.avoid_buggy_ips && (last === 0 || last === 255)) continue;
      return formatIPv4(a);
    }
  }
  return undefined;
}

/** The service address a speaker node holds and announces. */
export function serviceAddressOf(lab: Lab, node: Node): string | undefined {
  const cluster = clusterOf(lab, node);
  return cluster?.addons.metallb ? firstServiceAddress(cluster.addons.metallb) : undefined;
}

const speakersOf = (lab: Lab, cluster: Cluster) =>
  lab.nodes.filter((n) => cluster.members.includes(n.name) && n.roles.includes(SPEAKER_ROLE));

export function warnWithoutSpeakers(lab: Lab, push: PushIssue): void {
  for (const cluster of lab.clusters) {
    if (!cluster.addons.metallb || speakersOf(lab, cluster).length) continue;
    push({
      code: 'metallb-no-speaker',
      severity: 'warning',
      path: [...cluster.path, 'addons', 'metallb'],
      message: `cluster ${cluster.name} has MetalLB but no member with the metallb-speaker role`,
      hint: 'no node announces the service addresses: add the role to the workers',
    });
  }
}

/** A speaker peers with every BGPPeer, as its first peer's myASN. */
export function speakerBgp(lab: Lab, cluster: Cluster, node: Node): NodeBgp | undefined {
  const addon = cluster.addons.metallb;
  if (!addon || !node.roles.includes(SPEAKER_ROLE)) return undefined;
  const service = firstServiceAddress(addon);
  const peers = addon.peers.map((p, i) => ({
    address: p.peer_address,
    as: p.peer_asn as number,
    path: [...cluster.path, 'addons', 'metallb', 'peers', i],
  }));
  const first = addon.peers[0];
  return {
    as: first.my_asn as number,
    routerId: node.interfaces[0]?.address ?? '0.0.0.0',
    localAddress:
      localAddressTowards(lab, node, first.peer_address) ?? node.interfaces[0]?.address ?? '0.0.0.0',
    neighbors: neighborsFromAddresses(lab, peers),
    // a speaker learns nothing; it announces the service addresses it holds
    import: 'none',
    export: service ? [`${service}/32`] : 'none',
    source: 'metallb',
    path: [...cluster.path, 'addons', 'metallb', 'peers'],
  };
}
