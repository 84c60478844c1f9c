// The order of the VM phases: steps of one phase run on their nodes in parallel; phases run in order.
// Roles and add-ons write the steps (contracts/vm.ts); this provider orders and runs them.
import type { VmPhase } from '../../../contracts/vm.js';

export const VM_PHASES = [
  'base',
  'daemons',
  'kubernetes-packages',
  'kubeadm-init',
  'kubeadm-join',
  'network',
  'addons',
  'mesh',
  'workloads',
  'attach',
] as const satisfies readonly VmPhase[];

// every phase a step may name has its place in the order
const everyPhase: [Exclude<VmPhase, (typeof VM_PHASES)[number]>] extends [never] ? true : false = true;
void everyPhase;
