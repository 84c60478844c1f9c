// MetalLB's speaker, emulated: holds the service address and announces it to the BGPPeers (BIRD, or FRR as in FRR mode).

import type { Role } from '../../contracts/role.js';
import type { Lab, Node } from '../../core/lab.js';
import { clusterOf } from '../../core/lab.js';
import { header, renderTemplate } from '../../core/templates.js';
import { bird } from '../../daemons/bird.js';
import { frr } from '../../daemons/frr.js';
import { hostPrefix, SPEAKER_ROLE, serviceAddressesOf } from './derive.js';

/** The daemon playing the speaker: FRR in MetalLB's FRR mode, BIRD for the native speaker. The one
 * setting is the cluster's addons.metallb.speaker, which lint also reads (metallb-frr-asn). */
export function speakerOf(lab: Lab, node: Node): 'bird' | 'frr' {
  const cluster = clusterOf(lab, node);
  return cluster?.addons.metallb?.speaker === 'frr' ? 'frr' : 'bird';
}

export const metallbSpeaker: Role = {
  name: SPEAKER_ROLE,
  speaksBgp: true,
  description: "MetalLB speaker: BGP sessions and announcements from the cluster's MetalLB resources",
  render: (lab, node) => {
    const ctx = { ...header(lab), node, bgp: node.bgp };
    return speakerOf(lab, node) === 'frr'
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
    // the service addresses live on the node, as kube-proxy binds them (externalTrafficPolicy: Cluster)
    const hold = serviceAddressesOf(lab, node).map((a, i) => ({
      name: i ? `service-address-${i + 1}` : 'service-address',
      run: `ip addr replace ${hostPrefix(a)} dev lo`,
    }));
    return [...hold, speakerOf(lab, node) === 'frr' ? frr.start : bird.start];
  },
  needs: (lab, node) => ({ daemons: [speakerOf(lab, node)] }),
  // on VMs the speakers are MetalLB's own, from its chart (the add-on's vm)
  vm: {},
};
