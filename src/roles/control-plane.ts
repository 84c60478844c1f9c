// A cluster's control plane: kubeadm's configuration and the manifests of its add-ons.
import { addonsOf } from '../addons/index.js';
import type { RenderedFile, Role } from '../contracts/role.js';
import type { Cluster, Lab, Node } from '../core/lab.js';
import { clusterOf } from '../core/lab.js';
import { yamlDocuments } from '../yaml-quote.js';
import { kubernetesClusterSteps } from './kubernetes-vm.js';

/** The CNI kubeadm's configuration names: the cluster's first add-on that is one. */
function cniOf(c: Cluster): string {
  return addonsOf(c).find((a) => a.cni)?.cni ?? 'the CNI';
}

function addonFiles(lab: Lab, node: Node, cluster: Cluster): RenderedFile[] {
  return addonsOf(cluster).flatMap((a) => a.manifests?.(lab, node, cluster) ?? []);
}

/** kubeadm's InitConfiguration and ClusterConfiguration: the API server on the node's first address. */
function kubeadmConfig(node: Node, cluster: Cluster) {
  const address = node.interfaces[0]?.address;
  return [
    {
      apiVersion: 'kubeadm.k8s.io/v1beta3',
      kind: 'InitConfiguration',
      localAPIEndpoint: { advertiseAddress: address, bindPort: 6443 },
      nodeRegistration: { name: node.name },
    },
    {
      apiVersion: 'kubeadm.k8s.io/v1beta3',
      kind: 'ClusterConfiguration',
      clusterName: cluster.name,
      ...(cluster.kubernetesVersion ? { kubernetesVersion: `v${cluster.kubernetesVersion}` } : {}),
      controlPlaneEndpoint: `${address}:6443`,
      networking: {
        ...(cluster.podSubnet ? { podSubnet: cluster.podSubnet } : {}),
        ...(cluster.serviceSubnet ? { serviceSubnet: cluster.serviceSubnet } : {}),
      },
    },
  ];
}

export const k8sControlPlane: Role = {
  name: 'k8s-control-plane',
  needsIpv4: true,
  description: 'Kubernetes control plane: kubeadm configuration and add-on manifests (full realization)',
  render: (lab, node) => {
    const cluster = clusterOf(lab, node);
    if (!cluster) return [];
    const kubeadm: RenderedFile = {
      node: node.name,
      path: '/etc/kubernetes/kubeadm-config.yaml',
      content: yamlDocuments(
        [
          `kubeadm configuration for cluster ${cluster.name}: \`kubeadm init --config\` on ${node.name}.`,
          `Its pod and service subnets must match the CNI's (${cniOf(cluster)}). Rendered by lab from ${lab.name}.`,
        ],
        kubeadmConfig(node, cluster),
      ),
      manifest: 'kubeadm',
    };
    return [kubeadm, ...addonFiles(lab, node, cluster)];
  },
  // kubeadm wants 2 CPUs and 1700 MB at least; the control plane brings its cluster up
  vm: {
    size: { cpus: 2, memoryMb: 3072 },
    packages: () => ['apt-transport-https', 'gpg'],
    forwards: true,
    steps: kubernetesClusterSteps,
  },
};

export const dcosMaster: Role = {
  name: 'dcos-master',
  needsIpv4: true,
  description: 'DC/OS master: the Calico resources of its cluster (full realization)',
  render: (lab, node) => {
    const cluster = clusterOf(lab, node);
    return cluster ? addonFiles(lab, node, cluster) : [];
  },
  vm: { size: { cpus: 2, memoryMb: 2048 }, forwards: true },
};
