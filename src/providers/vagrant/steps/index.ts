// Every provisioning step of the full realization, in the order they run: each VM's base, daemons and
// workloads steps (from its roles' parts), the steps each role and each add-on writes (their `vm`),
// sorted by phase.

import { ADDONS, addonsOf } from '../../../addons/index.js';
import type { RenderedFile } from '../../../contracts/role.js';
import type { VmStep } from '../../../contracts/vm.js';
import type { Lab } from '../../../core/lab.js';
import { roleOf } from '../../../roles/index.js';
import { kubernetesClusters } from '../../../vm/kubernetes.js';
import { baseStep } from './base.js';
import { daemonSteps } from './daemons.js';
import { VM_PHASES } from './phases.js';
import { workloadSteps } from './workloads.js';

export function stepsOf(lab: Lab, files: RenderedFile[]): VmStep[] {
  for (const c of kubernetesClusters(lab))
    if (!c.controlPlane || !lab.nodes.some((n) => n.name === c.controlPlane))
      throw new Error(`cluster ${c.name} names no control_plane node: kubeadm init has nowhere to run`);
  const all = [
    ...lab.nodes.map((n) => baseStep(lab, n)),
    ...lab.nodes.flatMap((n) => daemonSteps(n, files)),
    ...lab.nodes.flatMap((n) => n.roles.flatMap((r) => roleOf(r)?.vm?.steps?.(lab, n, files) ?? [])),
    ...lab.clusters.flatMap((c) => addonsOf(c).flatMap((a) => a.vm?.cluster?.(lab, c, files) ?? [])),
    ...ADDONS.flatMap((a): VmStep[] => a.vm?.lab?.(lab) ?? []),
    ...lab.nodes.flatMap((n) => workloadSteps(lab, n, files)),
  ];
  // stable: within a phase, the lab's node order
  const order = new Map(lab.nodes.map((n, i) => [n.name, i]));
  return all
    .map((s, i) => ({ s, i }))
    .sort(
      (a, b) =>
        VM_PHASES.indexOf(a.s.phase) - VM_PHASES.indexOf(b.s.phase) ||
        order.get(a.s.node)! - order.get(b.s.node)! ||
        a.i - b.i,
    )
    .map(({ s }) => s);
}
