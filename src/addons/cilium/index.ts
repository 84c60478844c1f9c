// Cilium: a Cluster Mesh of clusters in tunnel mode (rendered; its emulation is the cilium-agent role).
import type { Role } from '../../roles/role.js';
import { type Addon, manifest } from '../addon.js';
import { ciliumRules } from './lint.js';
import { ciliumSchema } from './schema.js';

const ciliumAgent: Role = {
  name: 'cilium-agent',
  description: 'Cilium agent in tunnel mode',
  emulated: false,
};

export const cilium: Addon<'cilium', typeof ciliumSchema> = {
  key: 'cilium',
  schema: ciliumSchema,
  cni: 'Cilium',
  lint: ciliumRules,
  manifests: (lab, node, cluster) => {
    const c = cluster.addons.cilium;
    if (!c) return [];
    return [
      manifest(lab, node, cluster, {
        name: 'cilium-values.yaml',
        template: 'cilium/values.yaml.njk',
        context: { c, name: c.cluster_name ?? cluster.name, apiServer: node.interfaces[0]?.address ?? '' },
        kind: 'cilium-values',
      }),
    ];
  },
  roles: [ciliumAgent],
};
