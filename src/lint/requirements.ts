// The host must have what the lab says it needs on its provider.

import type { Rule } from '../contracts/lint.js';
import { issue } from '../core/issue.js';
import type { Lab } from '../core/lab.js';

export const requirementRules: Rule = (lab, host, runsOn) => {
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
  if (runsOn.hostKernel) out.push(...neighbourIssues(lab, host));
  return out;
};

/** The neighbour entries a lab on netns holds at once, per family: its management link's two ends per
 * node, one per BGP session end and one per static route's gateway. The kernel keeps one table per
 * family for every namespace of the host, and past its gc_thresh3 no new address resolves: at 250
 * clos-fabric nodes (3900 session ends) SSH handshakes timed out and dmesg said "neighbor table
 * overflow". An estimate from below: what else talks (a check's traffic) adds to it. */
export function neighbourEntries(lab: Lab): { ipv4: number; ipv6: number } {
  const n = { ipv4: 2 * lab.nodes.length, ipv6: 0 };
  for (const node of lab.nodes) {
    for (const s of node.bgp?.neighbors ?? []) n[s.interface || s.address.includes(':') ? 'ipv6' : 'ipv4']++;
    for (const via of new Set(node.routes.flatMap((r) => (r.via ? [r.via] : []))))
      n[via.includes(':') ? 'ipv6' : 'ipv4']++;
  }
  return n;
}

/** The host kernel's neighbour tables, which every namespace of the host shares. */
function neighbourIssues(lab: Lab, host: Parameters<Rule>[1]) {
  const limit = host.neighbourLimit;
  if (!limit) return [];
  const need = neighbourEntries(lab);
  return (['ipv4', 'ipv6'] as const)
    .filter((f) => need[f] > limit[f])
    .map((f) => {
      const raise = 2 ** Math.ceil(Math.log2(2 * need[f]));
      return issue(
        'host-resources',
        ['nodes'],
        `the lab needs about ${need[f]} ${f === 'ipv4' ? 'ARP' : 'IPv6 neighbour'} entries at once; this host's kernel holds at most ${limit[f]} for all namespaces together (net.${f}.neigh.default.gc_thresh3)`,
        `addresses stop resolving half-way (SSH handshakes time out): raise the limit as root, sysctl -w net.${f}.neigh.default.gc_thresh3=${raise} net.${f}.neigh.default.gc_thresh2=${raise / 2}, or make the lab smaller`,
      );
    });
}
