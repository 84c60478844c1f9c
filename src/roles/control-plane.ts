// A cluster's control plane: kubeadm's configuration and the add-on manifests it applies.
import type { Cluster, Lab, Node } from '../model/lab.js';
import { renderTemplate } from '../render/env.js';
import { header, type RenderedFile, type Role } from './role.js';

const MANIFESTS = '/etc/lab/manifests';

function cniOf(c: Cluster): string {
  if (c.addons.calico) return 'Calico';
  if (c.addons.cilium) return 'Cilium';
  if (c.addons.tungsten_fabric) return 'Tungsten Fabric';
  return 'the CNI';
}

function addonFiles(lab: Lab, node: Node, cluster: Cluster): RenderedFile[] {
  const ctx = { ...header(lab), node, cluster };
  const apiServer = node.interfaces[0]?.address ?? '';
  const out: RenderedFile[] = [];
  const file = (
    path: string,
    template: string,
    extra: object,
    manifest: RenderedFile['manifest'],
  ): RenderedFile => ({
    node: node.name,
    path: `${MANIFESTS}/${path}`,
    content: renderTemplate(template, { ...ctx, ...extra }),
    manifest,
  });
  const { metallb, calico, cilium, tungsten_fabric: tf } = cluster.addons;
  if (metallb) {
    out.push(
      metallb.config === 'crds'
        ? file('metallb-resources.yaml', 'metallb/resources.yaml.njk', { m: metallb }, 'metallb')
        : file(
            'metallb-values.yaml',
            'metallb/values-config-inline.yaml.njk',
            { m: metallb },
            'metallb-values',
          ),
    );
  }
  if (calico) out.push(file('calico-resources.yaml', 'calico/resources.yaml.njk', { c: calico }, 'calico'));
  if (cilium)
    out.push(
      file(
        'cilium-values.yaml',
        'cilium/values.yaml.njk',
        { c: cilium, name: cilium.cluster_name ?? cluster.name, apiServer },
        'cilium-values',
      ),
    );
  if (tf) {
    const controllers = lab.nodes
      .filter((n) => n.name === cluster.controlPlane)
      .map((n) => n.interfaces[0].address);
    out.push(
      file(
        'tf-configmaps.yaml',
        'tungsten-fabric/configmaps.yaml.njk',
        {
          tf,
          as: cluster.as ?? 64512,
          apiServer,
          controllers: controllers.join(','),
          podSubnets: tf.pod_subnets ?? cluster.podSubnet,
          serviceSubnets: tf.service_subnets ?? cluster.serviceSubnet,
          fabricSubnets: tf.fabric_subnets ?? cluster.fabricSubnet,
        },
        'tf',
      ),
    );
  }
  return out;
}

export const k8sControlPlane: Role = {
  name: 'k8s-control-plane',
  description: 'Kubernetes control plane: kubeadm configuration and add-on manifests (full realization)',
  render: (lab, node) => {
    const cluster = lab.clusters.find((c) => c.name === node.cluster);
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
    const cluster = lab.clusters.find((c) => c.name === node.cluster);
    return cluster ? addonFiles(lab, node, cluster) : [];
  },
};
