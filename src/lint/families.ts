// IPv6-only networks: the routing roles run on them (BGP and OSPFv3 over IPv6, hosts, nginx); the
// Kubernetes and CNI roles take their node IP, underlay and tunnel endpoints from IPv4 addresses here.

import type { Rule } from '../contracts/lint.js';
import type { Issue } from '../core/issue.js';
import { issue } from '../core/issue.js';
import { roleOf } from '../roles/index.js';

export const familyRules: Rule = (lab) => {
  const out: Issue[] = [];
  for (const node of lab.nodes) {
    // each role says whether it reads the node's IPv4 address (needsIpv4)
    const roles = node.roles.filter((r) => roleOf(r)?.needsIpv4);
    if (!roles.length) continue;
    for (const ifc of node.interfaces) {
      if (ifc.address) continue;
      out.push(
        issue(
          'ipv6-only-unsupported',
          ifc.path,
          `${node.name} is IPv6 only on ${ifc.network}, and ${roles.join(', ')} need${roles.length > 1 ? '' : 's'} an IPv4 address on each of its interfaces`,
          `give ${ifc.network} an IPv4 prefix too (dual stack): IPv6-only networks carry the routing roles (bird-router, frr-router, ip-router, hosts, http-backend, metallb-speaker)`,
        ),
      );
    }
  }
  return out;
};
