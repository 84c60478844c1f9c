// Calico in BGP mode: each node's BIRD announces its pod blocks over iBGP (here through a route reflector).
import type { Addon } from '../../contracts/addon.js';
import { yamlManifest } from '../addon.js';
import { calicoBgp, deriveCalico } from './derive.js';
import { calicoResources } from './manifests.js';
import { calicoNode } from './node-role.js';
import { calicoSchema } from './schema.js';
import { calicoVm } from './vm.js';

export const calico: Addon<'calico', typeof calicoSchema> = {
  key: 'calico',
  schema: calicoSchema,
  cni: 'Calico',
  derive: deriveCalico,
  bgp: calicoBgp,
  spaces: (c) =>
    (c.addons.calico?.pools ?? []).map((p, i) => ({
      prefix: p.cidr,
      what: `Calico pool ${p.name} of ${c.name}`,
      kind: 'pod-pool' as const,
      path: [...c.path, 'addons', 'calico', 'pools', i, 'cidr'],
    })),
  manifests: (lab, node, cluster) =>
    cluster.addons.calico
      ? [
          yamlManifest(node, {
            name: 'calico-resources.yaml',
            ...calicoResources(lab, cluster, cluster.addons.calico),
            kind: 'calico',
          }),
        ]
      : [],
  roles: [calicoNode],
  // Calico's "Kubernetes requirements" page
  testedKubernetes: {
    '3.27': ['1.27', '1.28', '1.29'],
    '3.28': ['1.27', '1.28', '1.29', '1.30'],
  },
  codes: {
    warnings: ['calico-no-node'],
  },
  vm: calicoVm,
};
