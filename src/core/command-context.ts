// What a check's command may name, wherever it is rendered (the engine, a provider's plan).
import type { Lab } from './lab.js';

/** What a check's command may name: {{ workloads.nginx.address }}, {{ blocks['k8s-worker1'] }}, the
 * members of a node group ({{ groups.worker | length }}: tries that grow with the lab), and per
 * cluster its serving pods and its service: {% for p in clusters.b.pods %}, {{ clusters.b.service.address }}. */
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
  };
}
