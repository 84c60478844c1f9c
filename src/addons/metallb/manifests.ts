// MetalLB's manifests as data: the CRD resources (charts 0.13.2 on) or the configInline Helm values
// (charts 0.10.0-0.12.1), written by the YAML serializer.
import type { Cluster, Lab } from '../../core/lab.js';
import type { MetallbConfig } from './schema.js';

const NS = 'metallb-system';
const meta = (name: string) => ({ name, namespace: NS });

type BfdProfile = NonNullable<MetallbConfig['bfd_profiles']>[number];

/** A BFDProfile's spec: the fields the lab sets, MetalLB's defaults for the rest. */
export function bfdProfileSpec(b: BfdProfile) {
  const spec = {
    receiveInterval: b.receive_interval,
    transmitInterval: b.transmit_interval,
    detectMultiplier: b.detect_multiplier,
    echoMode: b.echo_mode,
    echoInterval: b.echo_interval,
    passiveMode: b.passive_mode,
    minimumTtl: b.minimum_ttl,
  };
  return Object.fromEntries(Object.entries(spec).filter(([, v]) => v !== undefined));
}

/** IPAddressPools, BFDProfiles, BGPPeers and BGPAdvertisements; one for every pool when the lab lists none
 * (without an advertisement MetalLB announces nothing). */
export function metallbResources(lab: Lab, cluster: Cluster, m: MetallbConfig) {
  return {
    comments: [
      `MetalLB ${m.chart_version} resources for cluster ${cluster.name} (CRDs, chart 0.13.2 and later).`,
      `Apply after the chart: kubectl apply -f this file. Rendered by lab from ${lab.name}.`,
    ],
    docs: [
      ...m.pools.map((p) => ({
        apiVersion: 'metallb.io/v1beta1',
        kind: 'IPAddressPool',
        metadata: meta(p.name),
        spec: { addresses: p.addresses, avoidBuggyIPs: p.avoid_buggy_ips, autoAssign: p.auto_assign },
      })),
      ...(m.bfd_profiles ?? []).map((b) => ({
        apiVersion: 'metallb.io/v1beta1',
        kind: 'BFDProfile',
        metadata: meta(b.name),
        spec: bfdProfileSpec(b),
      })),
      ...m.peers.map((peer) => ({
        apiVersion: 'metallb.io/v1beta2',
        kind: 'BGPPeer',
        metadata: meta(peer.name),
        spec: {
          myASN: peer.my_asn,
          peerASN: peer.peer_asn,
          peerAddress: peer.peer_address,
          ...(peer.hold_time ? { holdTime: peer.hold_time } : {}),
          ...(peer.keepalive_time ? { keepaliveTime: peer.keepalive_time } : {}),
          ...(peer.bfd_profile ? { bfdProfile: peer.bfd_profile } : {}),
        },
      })),
      ...(m.advertisements.length ? m.advertisements : [{ name: 'all-pools', pools: [] }]).map((a) => ({
        apiVersion: 'metallb.io/v1beta1',
        kind: 'BGPAdvertisement',
        metadata: meta(a.name),
        spec: a.pools.length ? { ipAddressPools: a.pools } : {},
      })),
    ],
  };
}

/** The chart's configInline values (charts 0.10.0 to 0.12.1 only). */
export function metallbConfigInline(lab: Lab, m: MetallbConfig) {
  return {
    comments: [
      `Helm values for the MetalLB chart ${m.chart_version} (configInline: charts 0.10.0 to 0.12.1 only).`,
      `  helm install metallb metallb/metallb --version ${m.chart_version} -n metallb-system -f this-file`,
      `Rendered by lab from ${lab.name}.`,
    ],
    docs: [
      {
        configInline: {
          peers: m.peers.map((p) => ({
            'peer-address': p.peer_address,
            'peer-asn': p.peer_asn,
            'my-asn': p.my_asn,
            ...(p.bfd_profile ? { 'bfd-profile': p.bfd_profile } : {}),
          })),
          ...((m.bfd_profiles ?? []).length
            ? {
                'bfd-profiles': (m.bfd_profiles ?? []).map((b) => ({
                  name: b.name,
                  ...Object.fromEntries(
                    Object.entries(bfdProfileSpec(b)).map(([k, v]) => [
                      k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`),
                      v,
                    ]),
                  ),
                })),
              }
            : {}),
          'address-pools': m.pools.map((p) => ({
            name: p.name,
            protocol: 'bgp',
            'avoid-buggy-ips': p.avoid_buggy_ips,
            'auto-assign': p.auto_assign,
            addresses: p.addresses,
          })),
        },
      },
    ],
  };
}
