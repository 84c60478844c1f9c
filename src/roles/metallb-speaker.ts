// MetalLB's speaker, emulated: holds the service address and announces it to the BGPPeers (BIRD, or FRR as in FRR mode).
import { firstServiceAddress } from '../model/derive-metallb.js';
import type { Lab, Node } from '../model/lab.js';
import { renderTemplate } from '../render/env.js';
import { header, type Role } from './role.js';

function speakerOf(node: Node): 'bird' | 'frr' {
  return node.vars.speaker === 'frr' ? 'frr' : 'bird';
}

export function serviceAddressOf(lab: Lab, node: Node): string | undefined {
  const cluster = lab.clusters.find((c) => c.name === node.cluster);
  return cluster?.addons.metallb ? firstServiceAddress(cluster.addons.metallb) : undefined;
}

export const metallbSpeaker: Role = {
  name: 'metallb-speaker',
  description: "MetalLB speaker: BGP sessions and announcements from the cluster's MetalLB resources",
  render: (lab, node) => {
    const ctx = { ...header(lab), node, bgp: node.bgp };
    return speakerOf(node) === 'frr'
      ? [
          {
            node: node.name,
            path: '/etc/frr/bgpd.conf',
            content: renderTemplate('frr/bgpd.conf.njk', ctx),
            validator: 'frr',
          },
        ]
      : [
          {
            node: node.name,
            path: '/etc/bird/bird.conf',
            content: renderTemplate('bird/speaker.conf.njk', ctx),
            validator: 'bird',
          },
        ];
  },
  start: (lab, node) => {
    const address = serviceAddressOf(lab, node);
    // the service address lives on the node, as kube-proxy binds it (externalTrafficPolicy: Cluster)
    const hold = address ? [{ name: 'service-address', run: `ip addr replace ${address}/32 dev lo` }] : [];
    const daemon =
      speakerOf(node) === 'frr'
        ? {
            name: 'bgpd',
            run: 'mkdir -p /run/frr && touch /var/log/bgpd.log && chown frr:frr /run/frr /var/log/bgpd.log && /usr/lib/frr/bgpd -d -Z -P 0 -f /etc/frr/bgpd.conf -i /run/frr/bgpd.pid --vty_socket /run/frr -u frr -g frr',
            pidfile: '/run/frr/bgpd.pid',
          }
        : {
            name: 'bird',
            run: 'mkdir -p /run/bird && bird -c /etc/bird/bird.conf -P /run/bird/bird.pid',
            pidfile: '/run/bird/bird.pid',
          };
    return [...hold, daemon];
  },
};
