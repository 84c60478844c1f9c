// Cilium: a Cluster Mesh of clusters in tunnel mode. Rendered for the full realization (Helm values,
// Services); emulated by the cilium-agent role (an etcd per cluster, an agent per node: ./agent/).
import type { Addon } from '../../contracts/addon.js';
import { manifest } from '../addon.js';
import { ciliumBlocks } from './derive.js';
import { ciliumRules } from './lint.js';
import { ciliumAgent } from './role.js';
import { ciliumSchema } from './schema.js';
import { ciliumVm } from './vm.js';

export const cilium: Addon<'cilium', typeof ciliumSchema> = {
  key: 'cilium',
  schema: ciliumSchema,
  cni: 'Cilium',
  // each agent node's /24 of the cluster pool: the lab's workloads on it take addresses there
  derive: (lab) => {
    Object.assign(lab.blocks, ciliumBlocks(lab));
  },
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
  // Cilium's "Kubernetes Compatibility" page
  testedKubernetes: {
    '1.14': ['1.24', '1.25', '1.26', '1.27'],
    '1.15': ['1.26', '1.27', '1.28', '1.29'],
    '1.16': ['1.27', '1.28', '1.29', '1.30'],
  },
  codes: {
    traps: ['cilium-cluster-id', 'cilium-cluster-name'],
    errors: [
      'cilium-cluster-name-duplicate',
      'cilium-max-clusters',
      'cilium-pod-cidr-overlap',
      'cilium-pool-too-small',
      'cilium-tunnel-unsupported',
      'cilium-mtu',
    ],
    warnings: ['cilium-node-port'],
  },
  vm: ciliumVm,
};
