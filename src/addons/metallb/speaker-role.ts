// MetalLB's speaker, emulated: holds the service address and announces it to the BGPPeers (BIRD, or FRR as in FRR mode).

import type { Role } from '../../contracts/role.js';
import type { Lab, Node } from '../../core/lab.js';
import { clusterOf } from '../../core/lab.js';
import { header, renderTemplate } from '../../core/templates.js';
import { bird } from '../../daemons/bird.js';
import { frr, frrStart } from '../../daemons/frr.js';
import { hostPrefix, SPEAKER_ROLE, serviceAddressesOf, speakerBfd } from './derive.js';

/** The daemon playing the speaker: FRR in MetalLB's FRR mode, BIRD for the native speaker. The one
 * setting is the cluster's addons.metallb.speaker, which lint also reads (metallb-frr-asn). */
export function speakerOf(lab: Lab, node: Node): 'bird' | 'frr' {
  const cluster = clusterOf(lab, node);
  return cluster?.addons.metallb?.speaker === 'frr' ? 'frr' : 'bird';
}

/** The BFD profiles the node's speaker runs (FRR mode; the native speaker has no BFD). */
function bfdOf(lab: Lab, node: Node) {
  const addon = clusterOf(lab, node)?.addons.metallb;
  if (!addon || speakerOf(lab, node) !== 'frr') return { byAddress: {}, profiles: [] };
  return speakerBfd(addon);
}

export const metallbSpeaker: Role = {
  name: SPEAKER_ROLE,
  speaksBgp: true,
  description: "MetalLB speaker: BGP sessions and announcements from the cluster's MetalLB resources",
  render: (lab, node) => {
    const bfd = bfdOf(lab, node);
    const ctx = { ...header(lab), node, bgp: node.bgp, bfd };
    const frrFile = (daemon: string, template: string) => ({
      node: node.name,
      path: `/etc/frr/${daemon}.conf`,
      content: renderTemplate(template, ctx),
      validator: 'frr' as const,
    });
    return speakerOf(lab, node) === 'frr'
      ? [
          frrFile('bgpd', 'frr/bgpd.conf.njk'),
          // BFD as MetalLB's FRR runs it: bfdd with the BFDProfiles, bgpd reaching it through zebra
          ...(bfd.profiles.length
            ? [frrFile('zebra', 'frr/speaker-zebra.conf.njk'), frrFile('bfdd', 'frr/speaker-bfdd.conf.njk')]
            : []),
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
    if (speakerOf(lab, node) === 'bird') return [...hold, bird.start];
    if (!bfdOf(lab, node).profiles.length) return [...hold, frr.start];
    return [
      ...hold,
      { name: 'frr-dirs', run: 'mkdir -p /run/frr /var/log/frr && chown frr:frr /run/frr /var/log/frr' },
      frrStart('zebra'),
      frrStart('bfdd'),
      // with zebra: bgpd registers its BFD peers with bfdd through it
      { ...frr.start, run: frr.start.run.replace(' -Z ', ' ') },
    ];
  },
  needs: (lab, node) => ({ daemons: [speakerOf(lab, node)] }),
  // on VMs the speakers are MetalLB's own, from its chart (the add-on's vm)
  vm: {},
};
