// MetalLB's traps: configInline outside the charts that read it, CRDs before 0.13.2, FRR mode with
// several myASN, clients with no route to a pool.

import type { Rule } from '../../contracts/lint.js';
import { localAddressTowards } from '../../core/addressing.js';
import { type Issue, issue } from '../../core/issue.js';
import { type Cluster, type Lab, networkByName, selectNodes } from '../../core/lab.js';
import { familyOf } from '../../net/ip.js';
import { gatewayRoutes } from '../../net/static-routes.js';
import { assigningPool, isAdvertised, SPEAKER_ROLE, seconds } from './derive.js';
import { firstUsable, holdsFamily, poolRange, rangeWithin } from './pool-ranges.js';

function versionTuple(v: string): number[] {
  return v
    .replace(/^v/, '')
    .split('.')
    .map((x) => Number.parseInt(x, 10) || 0);
}

export function compareVersions(a: string, b: string): number {
  const [x, y] = [versionTuple(a), versionTuple(b)];
  for (let i = 0; i < 3; i++) if ((x[i] ?? 0) !== (y[i] ?? 0)) return (x[i] ?? 0) - (y[i] ?? 0);
  return 0;
}

function clusterIssues(lab: Lab, c: Cluster): Issue[] {
  const m = c.addons.metallb;
  if (!m) return [];
  const out: Issue[] = [];
  const path = [...c.path, 'addons', 'metallb'];
  m.pools.forEach((pool, i) => {
    pool.addresses.forEach((a, j) => {
      const range = poolRange(a);
      if (range && 'error' in range) {
        out.push(
          issue(
            'prefix-invalid',
            [...path, 'pools', i, 'addresses', j],
            `pool ${pool.name}: ${range.error}`,
            'MetalLB takes a CIDR (172.16.254.0/24) or a range (172.16.254.10-172.16.254.20): the pool is refused and no service gets an address',
          ),
        );
      }
    });
  });
  m.pools.forEach((pool, i) => {
    for (const family of [4, 6] as const) {
      if (!holdsFamily(pool, family) || firstUsable(pool, family)) continue;
      out.push(
        issue(
          'pool-exhausted',
          [...path, 'pools', i],
          `pool ${pool.name} holds no IPv${family} address a service can get${pool.avoid_buggy_ips ? ' (avoid_buggy_ips skips every .0 and .255)' : ''}`,
          'the service stays <pending> and nothing is announced: widen the pool, or set avoid_buggy_ips: false',
        ),
      );
    }
  });
  out.push(...peerIssues(lab, c));
  m.advertisements.forEach((a, i) => {
    a.pools.forEach((name, j) => {
      if (m.pools.some((p) => p.name === name)) return;
      out.push(
        issue(
          'unknown-reference',
          [...path, 'advertisements', i, 'pools', j],
          `advertisement ${a.name} names pool '${name}', which is no pool of this MetalLB`,
          `the advertisement is refused and its pools are not announced: name one of ${m.pools.map((p) => p.name).join(', ')}, or list no pools to select every pool`,
        ),
      );
    });
  });
  const assigning = m.pools.find((p) => p.auto_assign);
  if (assigning && m.config === 'crds' && !isAdvertised(m, assigning.name)) {
    out.push(
      issue(
        'metallb-not-advertised',
        [...path, 'advertisements'],
        `pool ${assigning.name} gives the service its address, but no BGPAdvertisement selects it`,
        'MetalLB assigns the address and announces nothing: the router never learns it. Add an advertisement listing the pool (or one with no pools, which selects all)',
      ),
    );
  }
  if (m.config === 'configInline') {
    const v = m.chart_version;
    if (compareVersions(v, '0.12.1') > 0) {
      const symptom =
        compareVersions(v, '0.13.3') >= 0
          ? 'the chart fails on purpose when configInline is set'
          : 'the chart ignores configInline silently and no service gets an address';
      out.push(
        issue(
          'metallb-config-inline',
          [...path, 'config'],
          `MetalLB chart ${v} does not support configInline (only 0.10.0 to 0.12.1)`,
          `${symptom}: use config: crds (IPAddressPool, BGPPeer, BGPAdvertisement)`,
        ),
      );
    } else if (compareVersions(v, '0.10.0') < 0) {
      out.push(
        issue(
          'metallb-config-inline',
          [...path, 'chart_version'],
          `MetalLB chart ${v} predates configInline (0.10.0 to 0.12.1)`,
          'the value is ignored and no service gets an address: use a chart from 0.10.0 to 0.12.1, or CRDs with 0.13.2+',
        ),
      );
    }
  } else if (compareVersions(m.chart_version, '0.13.2') < 0) {
    out.push(
      issue(
        'metallb-crds-too-old',
        [...path, 'chart_version'],
        `MetalLB chart ${m.chart_version} has no CRDs (they start with 0.13.2)`,
        'kubectl apply fails with "no matches for kind IPAddressPool": use chart 0.13.2 or later',
      ),
    );
  }
  // the speakers speak the first peer's myASN: a cluster AS that says otherwise would be ignored
  m.peers.forEach((p, i) => {
    if (c.as === undefined || p.my_asn === c.as) return;
    out.push(
      issue(
        'metallb-asn-mismatch',
        [...path, 'peers', i, 'my_asn'],
        `MetalLB peer ${p.name} has my_asn ${p.my_asn}, but cluster ${c.name} runs AS ${c.as}`,
        `the speakers open their sessions as AS ${m.peers[0]?.my_asn}, while the lab (its graph, inventory and other peers) says the cluster is AS ${c.as}: set my_asn: ${c.as}, or change the cluster's as:`,
      ),
    );
  });
  if (m.speaker === 'frr' && new Set(m.peers.map((p) => p.my_asn)).size > 1) {
    out.push(
      issue(
        'metallb-frr-asn',
        [...path, 'peers'],
        'MetalLB in FRR mode needs one myASN for all peers',
        'the FRR speaker rejects the configuration and no session comes up: use one myASN',
      ),
    );
  }
  for (const sel of m.reachable_from) {
    const clients = selectNodes(lab, sel);
    if (!clients.length)
      out.push(
        issue(
          'unknown-reference',
          [...path, 'reachable_from'],
          `no node named '${sel}'`,
          'list client nodes defined under nodes:',
        ),
      );
    for (const client of clients) {
      for (const pool of m.pools) {
        for (const a of pool.addresses) {
          const range = poolRange(a);
          if ('error' in range) continue; // said above
          const covers = (prefix: string) => rangeWithin(range, prefix);
          // a default route of the pool's family (an IPv6 default names an IPv6 gateway)
          const isDefault = (r: { to: string; via: string }) =>
            r.to === 'default' && (r.via.includes(':') ? 6 : 4) === range.family;
          const connected = (network: string) => {
            const net = networkByName(lab, network);
            return covers(net?.prefix ?? '') || covers(net?.prefix6 ?? '');
          };
          const routed =
            // a discard route to the pool routes nothing there
            gatewayRoutes(client.routes).some((r) => isDefault(r) || covers(r.to)) ||
            client.interfaces.some((i) => connected(i.network));
          if (!routed) {
            out.push(
              issue(
                'pool-not-routed',
                [...path, 'pools'],
                `client ${client.name} has no route to the MetalLB pool ${a}`,
                `curl from ${client.name} times out although BGP is up: add a route to ${a} via the router (client routes:)`,
              ),
            );
          }
        }
      }
    }
  }
  return out;
}

export const metallbRules: Rule = (lab) => lab.clusters.flatMap((c) => clusterIssues(lab, c));

/** MetalLB's BGPPeers here are one hop away (no ebgpMultiHop): every speaker needs an address of the
 * peer's family on a network that holds it, and a service address of a family needs a peer of it. */
function peerIssues(lab: Lab, c: Cluster): Issue[] {
  const m = c.addons.metallb;
  if (!m) return [];
  const out: Issue[] = [];
  const path = [...c.path, 'addons', 'metallb'];
  const speakers = lab.nodes.filter((n) => c.members.includes(n.name) && n.roles.includes(SPEAKER_ROLE));
  // the BGPPeer's timers: Go durations MetalLB parses, a hold time BGP allows (0, or 3 s and more)
  m.peers.forEach((peer, i) => {
    for (const field of ['hold_time', 'keepalive_time'] as const) {
      const text = peer[field];
      if (text === undefined) continue;
      const s = seconds(text);
      const bad =
        s === undefined
          ? `${text} is not a duration MetalLB reads`
          : field === 'hold_time' && s > 0 && s < 3
            ? `a hold time of ${s} s: BGP allows 0 or at least 3 s`
            : undefined;
      if (bad)
        out.push(
          issue(
            'metallb-timer-invalid',
            [...path, 'peers', i, field],
            `BGPPeer ${peer.name}: ${bad}`,
            'MetalLB refuses the BGPPeer and the session never comes up: write a Go duration (90s, 1m30s, 1.5m, 2h)',
          ),
        );
    }
  });
  // BFD: a profile that exists, on the FRR speaker (MetalLB's native speaker has no BFD)
  const profiles = new Set((m.bfd_profiles ?? []).map((b) => b.name));
  m.peers.forEach((peer, i) => {
    if (!peer.bfd_profile) return;
    const at = [...path, 'peers', i, 'bfd_profile'];
    if (!profiles.has(peer.bfd_profile))
      out.push(
        issue(
          'metallb-bfd-profile-unknown',
          at,
          `BGPPeer ${peer.name} names BFD profile ${peer.bfd_profile}, which bfd_profiles does not define${profiles.size ? ` (it has ${[...profiles].join(', ')})` : ''}`,
          `MetalLB refuses the BGPPeer and the session never comes up: add { name: ${peer.bfd_profile} } to bfd_profiles, or name one it has`,
        ),
      );
    if (m.speaker !== 'frr')
      out.push(
        issue(
          'field-ignored',
          at,
          `BGPPeer ${peer.name} asks for BFD, but cluster ${c.name}'s MetalLB runs the native speaker, which has no BFD`,
          'it would be ignored and BFD never come up: set speaker: frr (MetalLB runs BFD in FRR mode only), or drop bfd_profile',
        ),
      );
  });
  m.peers.forEach((peer, i) => {
    const away = speakers.filter((n) => !localAddressTowards(lab, n, peer.peer_address));
    if (!away.length) return;
    const family = familyOf(peer.peer_address) === 6 ? 'IPv6' : 'IPv4';
    out.push(
      issue(
        'metallb-peer-unreachable',
        [...path, 'peers', i, 'peer_address'],
        `BGPPeer ${peer.name} (${peer.peer_address}) is on no network where ${away.map((n) => n.name).join(', ')} ${away.length > 1 ? 'have' : 'has'} an ${family} address`,
        `the speakers peer one hop away: put the peer's address on a network the workers share with it${family === 'IPv6' ? ' (a prefix6 on the network, an IPv6 address on each side)' : ''}`,
      ),
    );
  });
  for (const family of [4, 6] as const) {
    const pool = assigningPool(m, family);
    if (!pool || !isAdvertised(m, pool.name) || !speakers.length) continue;
    if (m.peers.some((p) => familyOf(p.peer_address) === family)) continue;
    out.push(
      issue(
        'metallb-no-peer-family',
        [...path, 'pools', m.pools.indexOf(pool)],
        `pool ${pool.name} gives the service an IPv${family} address, but no BGPPeer is IPv${family}`,
        `the speakers announce each family over sessions of that family: add a BGPPeer with the router's IPv${family} address`,
      ),
    );
  }
  return out;
}
