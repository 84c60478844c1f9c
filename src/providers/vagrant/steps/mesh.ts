// Cilium Cluster Mesh: every cluster's control plane connects to every other one with the cilium
// CLI, from the kubeconfigs the runner copies over. Runs once every cluster has Cilium.
import type { Lab } from '../../../core/lab.js';
import { VERSIONS } from '../versions.js';
import { KUBECONFIG, kubernetesClusters } from './kubernetes.js';
import { q, type Step, script } from './step.js';

const peerConfig = (cluster: string) => `/etc/lab/peers/${cluster}.conf`;

export function meshSteps(lab: Lab): Step[] {
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
    } satisfies Step;
  });
}
