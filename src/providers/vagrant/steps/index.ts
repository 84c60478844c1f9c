// Every provisioning step of the full realization, in the order they run.

import type { RenderedFile } from '../../../contracts/role.js';
import type { Lab } from '../../../core/lab.js';
import { addonSteps } from './addons.js';
import { baseStep } from './base.js';
import { daemonSteps } from './daemons.js';
import { kubernetesClusters, kubernetesSteps } from './kubernetes.js';
import { meshSteps } from './mesh.js';
import { networkSteps } from './network.js';
import { PHASES, type Step } from './step.js';
import { workloadSteps } from './workloads.js';

export function stepsOf(lab: Lab, files: RenderedFile[]): Step[] {
  for (const c of kubernetesClusters(lab))
    if (!c.controlPlane || !lab.nodes.some((n) => n.name === c.controlPlane))
      throw new Error(`cluster ${c.name} names no control_plane node: kubeadm init has nowhere to run`);
  const all = [
    ...lab.nodes.map((n) => baseStep(lab, n)),
    ...lab.nodes.flatMap((n) => daemonSteps(n, files)),
    ...kubernetesSteps(lab, files),
    ...networkSteps(lab, files),
    ...addonSteps(lab, files),
    ...meshSteps(lab),
    ...workloadSteps(lab, files),
  ];
  // stable: within a phase, the lab's node order
  const order = new Map(lab.nodes.map((n, i) => [n.name, i]));
  return all
    .map((s, i) => ({ s, i }))
    .sort(
      (a, b) =>
        PHASES.indexOf(a.s.phase) - PHASES.indexOf(b.s.phase) ||
        order.get(a.s.node)! - order.get(b.s.node)! ||
        a.i - b.i,
    )
    .map(({ s }) => s);
}

export { PHASES, type Step } from './step.js';
