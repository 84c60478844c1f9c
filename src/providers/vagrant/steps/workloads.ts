// The demo's workloads on a VM outside Kubernetes: one step per VM, with each of its roles' part (nginx
// from the rendered configuration, the emulation's workload tool, which is real enough on a VM). In
// Kubernetes the control plane's role applies them as pods.

import type { RenderedFile } from '../../../contracts/role.js';
import type { VmStep } from '../../../contracts/vm.js';
import type { Lab, Node } from '../../../core/lab.js';
import { roleOf } from '../../../roles/index.js';
import { inKubernetes } from '../../../vm/kubernetes.js';
import { script } from '../../../vm/script.js';

export function workloadSteps(lab: Lab, node: Node, files: RenderedFile[]): VmStep[] {
  if (inKubernetes(lab, node)) return [];
  const lines = node.roles.flatMap((r) => roleOf(r)?.vm?.workloads?.(lab, node, files) ?? []);
  if (!lines.length) return [];
  return [
    {
      phase: 'workloads',
      node: node.name,
      title: 'workloads',
      script: script(`${node.name}: the demo's workloads`, lines),
      timeoutS: 300,
    },
  ];
}
