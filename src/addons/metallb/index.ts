// MetalLB in BGP mode: speakers on the workers announce the service addresses to the cluster's BGPPeers.
import type { Addon } from '../../contracts/addon.js';
import { yamlManifest } from '../addon.js';
import { speakerBgp, warnWithoutSpeakers } from './derive.js';
import { metallbRules } from './lint.js';
import { metallbConfigInline, metallbResources } from './manifests.js';
import { metallbSchema } from './schema.js';
import { metallbSpeaker } from './speaker-role.js';
import { metallbVm } from './vm.js';

export const metallb: Addon<'metallb', typeof metallbSchema> = {
  key: 'metallb',
  schema: metallbSchema,
  derive: (lab, push) => warnWithoutSpeakers(lab, push),
  bgp: speakerBgp,
  spaces: (c) =>
    (c.addons.metallb?.pools ?? []).flatMap((p, i) =>
      p.addresses.map((a, j) => ({
        prefix: a,
        what: `MetalLB pool ${p.name} of ${c.name}`,
        kind: 'lb-pool' as const,
        path: [...c.path, 'addons', 'metallb', 'pools', i, 'addresses', j],
      })),
    ),
  lint: metallbRules,
  manifests: (lab, node, cluster) => {
    const m = cluster.addons.metallb;
    if (!m) return [];
    // CRDs from chart 0.13.2 on; configInline Helm values before (lint says which works)
    return [
      m.config === 'crds'
        ? yamlManifest(node, {
            name: 'metallb-resources.yaml',
            ...metallbResources(lab, cluster, m),
            kind: 'metallb',
          })
        : yamlManifest(node, {
            name: 'metallb-values.yaml',
            ...metallbConfigInline(lab, m),
            kind: 'metallb-values',
          }),
    ];
  },
  roles: [metallbSpeaker],
  codes: {
    traps: [
      'pool-not-routed',
      'metallb-config-inline',
      'metallb-crds-too-old',
      'metallb-frr-asn',
      'metallb-asn-mismatch',
      'metallb-not-advertised',
    ],
    // MetalLB refuses a BGPPeer naming a profile it does not have: nothing to show
    errors: ['metallb-bfd-profile-unknown', 'metallb-timer-invalid'],
    warnings: ['metallb-no-speaker'],
  },
  vm: metallbVm,
};
