// Clusters: ids unique across the lab (Cilium's mesh keys identities on them).

import type { Rule } from '../contracts/lint.js';
import type { Issue } from '../core/issue.js';
import { issue } from '../core/issue.js';

/** Cluster ids are unique across the lab (Cilium's mesh keys identities on them). */
export const clusterRules: Rule = (lab) => {
  const out: Issue[] = [];
  const ids = new Map<number, string>();
  for (const c of lab.clusters) {
    if (c.id === undefined) continue;
    const other = ids.get(c.id);
    if (other) {
      const symptom = c.addons.cilium
        ? 'identities collide across the mesh and policies match the wrong pods'
        : 'the clusters cannot be told apart';
      out.push(
        issue(
          'cluster-id-duplicate',
          [...c.path, 'id'],
          `cluster id ${c.id} is used by both ${other} and ${c.name}`,
          `${symptom}: give each cluster its own id`,
        ),
      );
    } else ids.set(c.id, c.name);
  }
  return out;
};
