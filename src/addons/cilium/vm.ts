// Cilium on VMs: Helm with the rendered values on each cluster's control plane, then Cluster Mesh: every
// cluster's control plane connects to every other one with the cilium CLI, from the kubeconfigs the
// runner copies over. The mesh runs once every cluster has Cilium.

import type { Addon } from '../../contracts/addon.js';
import type { RenderedFile } from '../../contracts/role.js';
import type { VmStep } from '../../contracts/vm.js';
import type { Cluster, Lab, Node } from '../../core/lab.js';
import { helmInstall, KUBECONFIG, kubernetesClusters } from '../../vm/kubernetes.js';
import { renderedManifestOf } from '../../vm/rendered.js';
import { q, script, writeFile } from '../../vm/script.js';
import { VERSIONS } from '../../vm/versions.js';

function ciliumStep(node: Node, cluster: Cluster, files: RenderedFile[]): VmStep {
  const c = cluster.addons.cilium!;
  const values = renderedManifestOf(files, node, 'cilium-values')!;
  const lines = [
    ...writeFile(values.path, values.content),
    ...helmInstall(),
    'helm repo add cilium https://helm.cilium.io --force-update',
    `helm upgrade --install cilium cilium/cilium --version ${q(c.version)} --namespace kube-system --kubeconfig ${KUBECONFIG} -f ${q(values.path)} --wait --timeout 10m`,
  ];
  return {
    phase: 'network',
    node: node.name,
    title: `Cilium ${c.version} with the rendered values`,
    script: script(`${node.name}: Cilium ${c.version} for cluster ${cluster.name}`, lines),
    timeoutS: 900,
  };
}

const peerConfig = (cluster: string) => `/etc/lab/peers/${cluster}.conf`;

function meshSteps(lab: Lab): VmStep[] {
  const members = kubernetesClusters(lab).filter((c) => c.addons.cilium);
  if (members.length < 2) return [];
  const cli = `https://github.com/cilium/cilium-cli/releases/download/v${VERSIONS.cilium.cli}/cilium-linux-amd64.tar.gz`;
  // each pair once: the first of the two connects (cilium connects both ways)
  return members.slice(0, -1).map((c, i) => {
    const peers = members.slice(i + 1);
    const lines = [
      'if ! command -v cilium >/dev/null; then',
      `  curl -fsSL ${q(cli)} | tar -xz -C /usr/local/bin cilium`,
      'fi',
      `cilium clustermesh status --kubeconfig ${KUBECONFIG} --wait`,
      // every admin.conf names its user kubernetes-admin: rename the peers' before merging them
      ...peers.map((p) => `sed -i ${q(`s/kubernetes-admin/admin-${p.name}/g`)} ${q(peerConfig(p.name))}`),
      `export KUBECONFIG=${q([KUBECONFIG, ...peers.map((p) => peerConfig(p.name))].join(':'))}`,
      ...peers.map(
        (p) =>
          `cilium clustermesh connect --context ${q(`kubernetes-admin@${c.name}`)} --destination-context ${q(`admin-${p.name}@${p.name}`)}`,
      ),
      `cilium clustermesh status --context ${q(`kubernetes-admin@${c.name}`)} --wait`,
    ];
    return {
      phase: 'mesh',
      node: c.controlPlane!,
      title: `Cluster Mesh: ${c.name} with ${peers.map((p) => p.name).join(', ')}`,
      script: script(`${c.controlPlane}: connect ${c.name} to ${peers.map((p) => p.name).join(', ')}`, lines),
      inputs: peers.map((p) => ({
        path: peerConfig(p.name),
        from: { node: p.controlPlane!, path: KUBECONFIG },
      })),
      timeoutS: 900,
    } satisfies VmStep;
  });
}

export const ciliumVm: NonNullable<Addon['vm']> = {
  cluster: (lab, cluster, files) =>
    cluster.kind === 'kubernetes'
      ? [ciliumStep(lab.nodes.find((n) => n.name === cluster.controlPlane)!, cluster, files)]
      : [],
  lab: meshSteps,
};
