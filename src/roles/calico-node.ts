// Calico's node agent, emulated: BIRD with iBGP to the cluster's BGPPeers, announcing the blocks the node holds.
import type { Lab, Node } from '../model/lab.js';
import { renderTemplate } from '../render/env.js';
import { header, type Role } from './role.js';

/** BIRD prefix patterns matching exactly the blocks of the cluster's pools: 192.168.0.0/17{26,26}. */
export function blockPatterns(lab: Lab, node: Node): string {
  const calico = lab.clusters.find((c) => c.name === node.cluster)?.addons.calico;
  return (calico?.pools ?? []).map((p) => `${p.cidr}{${p.block_size},${p.block_size}}`).join(', ');
}

export const calicoNode: Role = {
  name: 'calico-node',
  description: "Calico node agent: BIRD announcing the node's pod blocks over iBGP",
  render: (lab, node) => {
    const calico = lab.clusters.find((c) => c.name === node.cluster)?.addons.calico;
    return [
      {
        node: node.name,
        path: '/etc/bird/bird.conf',
        content: renderTemplate('bird/calico-node.conf.njk', {
          ...header(lab),
          node,
          bgp: node.bgp,
          mesh: calico?.node_to_node_mesh ?? false,
          blocks: blockPatterns(lab, node),
        }),
        validator: 'bird',
      },
    ];
  },
  start: () => [
    { name: 'forwarding', run: 'sysctl -qw net.ipv4.ip_forward=1' },
    {
      name: 'bird',
      run: 'mkdir -p /run/bird && bird -c /etc/bird/bird.conf -P /run/bird/bird.pid',
      pidfile: '/run/bird/bird.pid',
    },
  ],
};
