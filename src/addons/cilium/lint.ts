// Cilium's traps: cluster names and ids the agent refuses, clustermesh API servers on one port.
import { type Issue, issue } from '../../core/issue.js';
import type { Rule } from '../../lint/rule.js';

const CILIUM_NAME = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/;

export const ciliumRules: Rule = (lab) => {
  const out: Issue[] = [];
  const ports = new Map<number, string>();
  for (const c of lab.clusters) {
    const ci = c.addons.cilium;
    if (!ci) continue;
    const path = [...c.path, 'addons', 'cilium'];
    const name = ci.cluster_name ?? c.name;
    if (name.length > 32 || !CILIUM_NAME.test(name)) {
      out.push(
        issue(
          'cilium-cluster-name',
          [...path, 'cluster_name'],
          `Cilium cluster name '${name}' must be at most 32 lowercase letters, digits and dashes`,
          'the Cilium agent refuses to start and the mesh never connects: shorten or lowercase it',
        ),
      );
    }
    if (c.id === undefined || c.id < 1 || c.id > ci.max_connected_clusters) {
      out.push(
        issue(
          'cilium-cluster-id',
          [...c.path, 'id'],
          `Cilium cluster id ${c.id ?? '(none)'} of ${c.name} is outside 1-${ci.max_connected_clusters}`,
          'the agent fails to start (or the cluster cannot join the mesh): give each cluster a unique id from 1 to 255',
        ),
      );
    }
    const port = ports.get(ci.clustermesh_node_port);
    if (port)
      out.push(
        issue(
          'cilium-node-port',
          [...path, 'clustermesh_node_port'],
          `node port ${ci.clustermesh_node_port} is used by both ${port} and ${c.name}`,
          'the clustermesh API servers collide on one port: use one per cluster',
          'warning',
        ),
      );
    ports.set(ci.clustermesh_node_port, c.name);
  }
  return out;
};
