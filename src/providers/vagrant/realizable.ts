// What the VMs of the full realization do not do yet, refused before anything is created (exit 2): a lab
// that lint accepts must not come up on VMs with part of it silently missing.

import { addonsOf } from '../../addons/index.js';
import type { Lab } from '../../core/lab.js';
import { DefinitionError } from '../../errors.js';
import { roleOf } from '../../roles/index.js';

/** One line per node and thing the VMs would leave out; empty when the lab can run on them. */
export function unrealizedOnVms(lab: Lab): string[] {
  const problems: string[] = [];
  for (const link of new Set(lab.networks.flatMap((n) => (n.link ? [n.link.name] : []))))
    problems.push(`link ${link}: point-to-point /31 links are wired on netns only, not as VM networks yet`);
  // an add-on a cluster enables is realized on VMs when it says how (its vm), as a role is
  for (const cluster of lab.clusters)
    for (const addon of addonsOf(cluster))
      if (!addon.vm) problems.push(`cluster ${cluster.name}: add-on ${addon.key} has no VM realization yet`);
  for (const node of lab.nodes) {
    // a role is realized on VMs when it says how (its vm), true by construction
    for (const role of node.roles)
      if (!roleOf(role)?.vm) problems.push(`${node.name}: role ${role} has no VM realization yet`);
    const v6 = node.interfaces.filter((i) => i.address6).map((i) => i.network);
    if (v6.length)
      problems.push(
        `${node.name}: IPv6 on ${v6.join(', ')}: the VMs' private networks are given IPv4 addresses only`,
      );
    // a VM's link-local addresses come from MACs the hypervisor picks: BIRD could not name its peer's
    const unnumbered = node.bgp?.neighbors.filter((n) => n.interface) ?? [];
    if (unnumbered.length)
      problems.push(
        `${node.name}: unnumbered BGP with ${unnumbered.map((n) => n.node).join(', ')}: the VMs' link-local addresses are not known before they boot`,
      );
    if (node.loopback?.ipv4 || node.loopback?.ipv6)
      problems.push(
        `${node.name}: loopback ${[node.loopback.ipv4, node.loopback.ipv6].filter(Boolean).join(', ')} is not configured on VMs`,
      );
  }
  return problems;
}

export function refuseUnrealized(lab: Lab): void {
  const problems = unrealizedOnVms(lab);
  const shown = problems.length > 6 ? [...problems.slice(0, 6), `and ${problems.length - 6} more`] : problems;
  if (problems.length)
    throw new DefinitionError(
      `${lab.name} cannot come up as VMs: ${shown.join('; ')}. Bring it up on netns (the default provider), or with --provider vagrant-host (the lab in one VM, on netns)`,
    );
}
