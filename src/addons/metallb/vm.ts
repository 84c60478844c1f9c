// MetalLB on VMs, from its Helm chart at the lab's version: the rendered resources (CRDs, charts >=
// 0.13.2) or the rendered configInline values (charts 0.10.0-0.12.1). Its speaker mode follows the
// add-on (native or FRR); the emulation's BIRD speakers are not used on VMs.

import type { Addon } from '../../contracts/addon.js';
import type { RenderedFile } from '../../contracts/role.js';
import type { VmStep } from '../../contracts/vm.js';
import type { Cluster } from '../../core/lab.js';
import { helmInstall, KUBECONFIG, kubectl } from '../../vm/kubernetes.js';
import { q, script, writeFile } from '../../vm/script.js';

function chartStep(cluster: Cluster, files: RenderedFile[]): VmStep[] {
  const m = cluster.addons.metallb;
  if (!m) return [];
  const cp = cluster.controlPlane!;
  const own = files.filter(
    (f) => f.node === cp && (f.manifest === 'metallb' || f.manifest === 'metallb-values'),
  );
  const values = own.find((f) => f.manifest === 'metallb-values');
  const resources = own.find((f) => f.manifest === 'metallb');
  // speakers on the workers only: the router peers with them, not with the control plane
  const frr = ` --set speaker.frr.enabled=${m.speaker === 'frr'} --set speaker.tolerateMaster=false`;
  const lines = [
    ...own.flatMap((f) => writeFile(f.path, f.content)),
    ...helmInstall(),
    'helm repo add metallb https://metallb.github.io/metallb --force-update',
    `helm upgrade --install metallb metallb/metallb --version ${q(m.chart_version)} --namespace metallb-system --create-namespace --kubeconfig ${KUBECONFIG}${values ? ` -f ${q(values.path)}` : ''}${frr} --wait --timeout 10m`,
    ...(resources
      ? [
          // the CRDs' webhook answers only once the controller runs
          `${kubectl} -n metallb-system wait --for=condition=Available deployment --all --timeout=300s`,
          `${kubectl} apply -f ${q(resources.path)}`,
        ]
      : []),
  ];
  return [
    {
      phase: 'addons',
      node: cp,
      title: `MetalLB chart ${m.chart_version} (${values ? 'configInline' : 'CRDs'})`,
      script: script(`${cp}: MetalLB ${m.chart_version} for cluster ${cluster.name}`, lines),
      timeoutS: 900,
    },
  ];
}

export const metallbVm: NonNullable<Addon['vm']> = {
  cluster: (_lab, cluster, files) => (cluster.kind === 'kubernetes' ? chartStep(cluster, files) : []),
};
