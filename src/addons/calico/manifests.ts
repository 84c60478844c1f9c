// Calico's resources as data, written by the YAML serializer: plain BGP, no overlay, no NAT.
import type { Cluster, Lab } from '../../core/lab.js';
import type { CalicoConfig } from './schema.js';

const resource = (kind: string, name: string, spec: object) => ({
  apiVersion: 'projectcalico.org/v3',
  kind,
  metadata: { name },
  spec,
});

export function calicoResources(lab: Lab, cluster: Cluster, c: CalicoConfig) {
  return {
    comments: [
      `Calico ${c.version} resources for ${cluster.name} (${cluster.kind}): plain BGP, no overlay, no NAT.`,
      `Apply with calicoctl apply -f (or kubectl with the API server). Rendered by lab from ${lab.name}.`,
    ],
    docs: [
      resource('BGPConfiguration', 'default', {
        asNumber: c.as,
        nodeToNodeMeshEnabled: c.node_to_node_mesh,
        logSeverityScreen: 'Info',
      }),
      ...c.peers.map((p) => resource('BGPPeer', p.name, { peerIP: p.peer_ip, asNumber: p.as })),
      ...c.pools.map((p) =>
        resource('IPPool', p.name, {
          cidr: p.cidr,
          blockSize: p.block_size,
          ipipMode: p.ipip_mode,
          vxlanMode: p.vxlan_mode,
          natOutgoing: p.nat_outgoing,
          nodeSelector: 'all()',
        }),
      ),
      // the default policy drops traffic from outside the orchestrator: allow it, as the demo does
      resource('GlobalNetworkPolicy', 'allow-all', {
        selector: 'all()',
        order: 1000,
        types: ['Ingress', 'Egress'],
        ingress: [{ action: 'Allow' }],
        egress: [{ action: 'Allow' }],
      }),
    ],
  };
}
