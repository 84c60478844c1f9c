// What a check's command may name, wherever it is rendered (the engine, a provider's plan).
import type { Lab } from './lab.js';
import { asTemplateData, renderLabString } from './lab-template.js';

/** The names a check's command may read: the keys of checkCommandContext. */
export const CHECK_COMMAND_ROOTS = ['groups', 'workloads', 'blocks', 'clusters', 'loopbacks'] as const;

/** A check's command is a template when it holds `{{` (a shell's `${#x}` or `{a,b}` alone is not). */
export const isCommandTemplate = (run: string): boolean => run.includes('{{');

/** A check's command as it runs: a template is checked and rendered by the restricted evaluator
 * (core/lab-template.ts) over a copy of the lab's data; anything else is the command itself. */
export function renderCheckCommand(run: string, lab: Lab): string {
  if (!isCommandTemplate(run)) return run;
  return renderLabString(run, asTemplateData(checkCommandContext(lab)), CHECK_COMMAND_ROOTS);
}

/** What a check's command may name: {{ workloads.nginx.address }}, {{ blocks['k8s-worker1'] }}, the
 * members of a node group ({{ groups.worker | length }}: tries that grow with the lab), and per
 * cluster its serving pods and its service: {% for p in clusters.b.pods %}, {{ clusters.b.service.address }};
 * a node's loopbacks: {{ loopbacks.leaf4.ipv4 }}. */
export function checkCommandContext(lab: Lab) {
  const clusters = Object.fromEntries(
    lab.clusters.map((c) => [
      c.name,
      {
        pods: lab.workloads.filter((w) => w.serve && c.members.includes(w.node)),
        service: lab.services.find((s) => s.cluster === c.name),
      },
    ]),
  );
  const groups: Record<string, string[]> = {};
  for (const n of lab.nodes) {
    if (!n.group) continue;
    groups[n.group] = [...(groups[n.group] ?? []), n.name];
  }
  return {
    groups,
    workloads: Object.fromEntries(lab.workloads.map((w) => [w.name, w])),
    blocks: lab.blocks,
    clusters,
    // {{ loopbacks[groups.leaf | last].ipv4 }}: an address another node announces, to send traffic to
    loopbacks: Object.fromEntries(lab.nodes.flatMap((n) => (n.loopback ? [[n.name, n.loopback]] : []))),
  };
}
