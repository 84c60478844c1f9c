// MetalLB's speakers peer as its BGPPeer resources say and announce what its pools assign.

import { localAddressTowards, neighborsFromAddresses } from './addressing.js';
import { broadcast, formatIPv4, parsePrefix } from './ipv4.js';
import type { PushIssue } from './issue.js';
import type { Lab } from './lab.js';
import type { MetallbAddon } from './schema.js';

/** The address MetalLB gives the first LoadBalancer service: the first usable one of the first auto-assign pool. */
export function firstServiceAddress(addon: MetallbAddon): string | undefined {
  const pool = addon.pools.find((p) => p.auto_assign);
  if (!pool) return undefined;
  for (const cidr of pool.addresses) {
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

export function deriveMetallbBgp(lab: Lab, push: PushIssue): void {
  for (const cluster of lab.clusters) {
    const addon = cluster.addons.metallb;
    if (!addon) continue;
    const service = firstServiceAddress(addon);
    const speakers = lab.nodes.filter(
      (n) => cluster.members.includes(n.name) && n.roles.includes('metallb-speaker'),
    );
    if (!speakers.length) {
      push({
        code: 'metallb-no-speaker',
        severity: 'warning',
        path: [...cluster.path, 'addons', 'metallb'],
        message: `cluster ${cluster.name} has MetalLB but no member with the metallb-speaker role`,
        hint: 'no node announces the service addresses: add the role to the workers',
      });
    }
    for (const node of speakers) {
      const peers = addon.peers.map((p, i) => ({
        address: p.peer_address,
        as: p.peer_asn as number,
        path: [...cluster.path, 'addons', 'metallb', 'peers', i],
      }));
      const first = addon.peers[0];
      node.bgp = {
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
  }
}
