// The host must have what the lab says it needs on its provider.

import type { Rule } from '../contracts/lint.js';
import { issue } from '../core/issue.js';

export const requirementRules: Rule = (lab, host) => {
  const need = lab.requirements[lab.provider];
  if (!need) return [];
  const out = [];
  const path = ['requirements', lab.provider];
  if (host.memoryMb !== undefined && host.memoryMb < need.memory_mb) {
    out.push(
      issue(
        'host-resources',
        path,
        `the lab needs ${need.memory_mb} MB of memory on ${lab.provider}; this host has ${host.memoryMb} MB available`,
        'nodes are killed by the OOM killer half-way: free memory or use a larger host',
      ),
    );
  }
  if (host.cpus !== undefined && host.cpus < need.cpus) {
    out.push(
      issue(
        'host-resources',
        path,
        `the lab needs ${need.cpus} CPUs on ${lab.provider}; this host has ${host.cpus}`,
        'daemons start too slowly and waits time out: use a larger host',
        'warning',
      ),
    );
  }
  return out;
};
