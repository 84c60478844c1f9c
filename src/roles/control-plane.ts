// A cluster's control plane: kubeadm's configuration and the manifests of its add-ons.
import { addonsOf } from '../addons/index.js';
import type { RenderedFile, Role } from '../contracts/role.js';
import type { Cluster, Lab, Node } from '../core/lab.js';
import { clusterOf } from '../core/lab.js';
import { header, renderTemplate } from '../core/templates.js';

/** The CNI kubeadm's configuration names: the cluster's first add-on that is one. */
function cniOf(c: Cluster): string {
  return addonsOf(c).find((a) => a.cni)?.cni ?? 'the CNI';
}

function addonFiles(lab: Lab, node: Node, cluster: Cluster): RenderedFile[] {
  return addonsOf(cluster).flatMap((a) => a.manifests?.(lab, node, cluster) ?? []);
}

export const k8sControlPlane: Role = {
  name: 'k8s-control-plane',
  description: 'Kubernetes control plane: kubeadm configuration and add-on manifests (full realization)',
  render: (lab, node) => {
    const cluster = clusterOf(lab, node);
    if (!cluster) return [];
    const kubeadm: RenderedFile = {
      node: node.name,
      path: '/etc/kubernetes/kubeadm-config.yaml',
      content: renderTemplate('kubeadm/config.yaml.njk', {
        ...header(lab),
        node,
        cluster,
        cni: cniOf(cluster),
      }),
      manifest: 'kubeadm',
    };
    return [kubeadm, ...addonFiles(lab, node, cluster)];
  },
};

export const dcosMaster: Role = {
  name: 'dcos-master',
  description: 'DC/OS master: the Calico resources of its cluster (full realization)',
  render: (lab, node) => {
    const cluster = clusterOf(lab, node);
    return cluster ? addonFiles(lab, node, cluster) : [];
  },
};
