// What the VM steps of a Kubernetes cluster share: where kubeadm leaves the admin kubeconfig and the
// join command, kubectl and Helm on the control plane, which clusters and nodes are Kubernetes.
import type { Cluster, Lab, Node } from '../core/lab.js';
import { q } from './script.js';
import { VERSIONS } from './versions.js';

export const JOIN_COMMAND = '/etc/lab/join-command';
export const KUBECONFIG = '/etc/kubernetes/admin.conf';

export const kubectl = `kubectl --kubeconfig ${KUBECONFIG}`;

export const kubernetesClusters = (lab: Lab): Cluster[] =>
  lab.clusters.filter((c) => c.kind === 'kubernetes');

/** The node is a member of a Kubernetes cluster (its workloads are pods, its backend a DaemonSet). */
export const inKubernetes = (lab: Lab, node: Node): boolean =>
  kubernetesClusters(lab).some((c) => c.members.includes(node.name));

export function helmInstall(): string[] {
  const tgz = `helm-v${VERSIONS.helm}-linux-amd64.tar.gz`;
  return [
    'if ! command -v helm >/dev/null; then',
    `  curl -fsSL -o /tmp/helm.tgz ${q(`https://get.helm.sh/${tgz}`)}`,
    '  tar -xzf /tmp/helm.tgz -C /usr/local/bin --strip-components=1 linux-amd64/helm',
    'fi',
  ];
}
