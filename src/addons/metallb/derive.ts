// MetalLB's speakers peer as its BGPPeer resources say and announce what its pools assign.
import {
  firstAddressOf,
  localAddressTowards,
  neighborsFromAddresses,
  routerIdOf,
} from '../../core/addressing.js';
import type { PushIssue } from '../../core/issue.js';
import type { Cluster, Lab, Node, NodeBgp } from '../../core/lab.js';
import { clusterOf } from '../../core/lab.js';
import { sessionTimers } from '../../daemons/policy.js';
import { type Family, familyOf } from '../../net/ip.js';
import { firstUsable, holdsFamily } from './pool-ranges.js';
import type { MetallbConfig } from './schema.js';

export const SPEAKER_ROLE = 'metallb-speaker';

/** The pool MetalLB takes the first LoadBalancer service's address of a family from: the first
 * auto-assign pool that holds that family. */
export function assigningPool(addon: MetallbConfig, family: Family) {
  return addon.pools.find((p) => p.auto_assign && holdsFamily(p, family));
}

/** The addresses MetalLB gives the first LoadBalancer service (dual stack when the pools hold both
 * families, PreferDualStack): the first usable one of each family's assigning pool. */
export function serviceAddresses(addon: MetallbConfig, advertisedOnly = false): string[] {
  return ([4, 6] as const).flatMap((family) => {
    const pool = assigningPool(addon, family);
    if (!pool || (advertisedOnly && !isAdvertised(addon, pool.name))) return [];
    const address = firstUsable(pool, family);
    return address ? [address] : [];
  });
}

/** Whether MetalLB announces a pool: with CRDs only a BGPAdvertisement does (one without pools selects
 * every pool; a lab that lists none gets one such, rendered); configInline's pools are announced. */
export function isAdvertised(addon: MetallbConfig, pool: string): boolean {
  if (addon.config === 'configInline' || addon.advertisements.length === 0) return true;
  return addon.advertisements.some((a) => a.pools.length === 0 || a.pools.includes(pool));
}

/** The service addresses a speaker node holds (assigned whether announced or not). */
export function serviceAddressesOf(lab: Lab, node: Node): string[] {
  const cluster = clusterOf(lab, node);
  return cluster?.addons.metallb ? serviceAddresses(cluster.addons.metallb) : [];
}

export const hostPrefix = (address: string) => `${address}/${familyOf(address) === 6 ? 128 : 32}`;

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

/** A Go duration as MetalLB's BGPPeer takes it (90s, 1m30s, 1.5m, 2h), in whole seconds (BGP's
 * timers have no finer grain); undefined when unset or not one (lint says so). */
export function seconds(duration: string | undefined): number | undefined {
  if (duration === undefined || !/^(\d+(\.\d+)?(h|ms|us|ns|m|s))+$/.test(duration)) return undefined;
  const unit: Record<string, number> = { h: 3600, m: 60, s: 1, ms: 1e-3, us: 1e-6, ns: 1e-9 };
  let total = 0;
  for (const [, n, , u] of duration.matchAll(/(\d+(\.\d+)?)(h|ms|us|ns|m|s)/g)) total += Number(n) * unit[u];
  return Math.floor(total);
}

/** The BFD profile of each BGPPeer that names one, by peer address, and the profiles they name: what
 * MetalLB's FRR mode writes into FRR's configuration. */
export function speakerBfd(addon: MetallbConfig) {
  const named = addon.peers.filter((p) => p.bfd_profile);
  const used = new Set(named.map((p) => p.bfd_profile));
  return {
    byAddress: Object.fromEntries(named.map((p) => [p.peer_address, p.bfd_profile!])),
    profiles: (addon.bfd_profiles ?? []).filter((b) => used.has(b.name)),
  };
}

/** A speaker peers with every BGPPeer, as its first peer's myASN. */
export function speakerBgp(lab: Lab, cluster: Cluster, node: Node): NodeBgp | undefined {
  const addon = cluster.addons.metallb;
  if (!addon || !node.roles.includes(SPEAKER_ROLE)) return undefined;
  // the addresses are assigned either way; only an advertisement makes the speakers announce them
  const services = serviceAddresses(addon, true);
  const peers = addon.peers.map((p, i) => ({
    address: p.peer_address,
    as: p.peer_asn as number,
    path: [...cluster.path, 'addons', 'metallb', 'peers', i],
  }));
  const first = addon.peers[0];
  return {
    as: first.my_asn as number,
    routerId: routerIdOf(lab, node),
    localAddress: localAddressTowards(lab, node, first.peer_address) ?? firstAddressOf(node) ?? '0.0.0.0',
    // a peer with a BFD profile runs BFD (FRR mode: the native speaker has none, lint refuses it there)
    neighbors: neighborsFromAddresses(lab, peers, node).map((n, i) => {
      const p = addon.peers[i];
      const hold = seconds(p.hold_time);
      const keepalive = seconds(p.keepalive_time);
      return {
        ...n,
        ...(addon.speaker === 'frr' && p.bfd_profile ? { bfd: true } : {}),
        // the BGPPeer's timers, as MetalLB's speaker keeps them (unset: the lab's fast ones)
        ...(hold !== undefined || keepalive !== undefined
          ? { timers: sessionTimers({ hold, keepalive }) }
          : {}),
      };
    }),
    // a speaker learns nothing; it announces the service addresses it holds, each over the sessions of its family
    import: 'none',
    export: services.map(hostPrefix),
    source: 'metallb',
    path: [...cluster.path, 'addons', 'metallb', 'peers'],
  };
}
