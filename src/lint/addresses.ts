// Addresses: inside their network, not its network or broadcast address, used once.

import type { Rule } from '../contracts/lint.js';
import { issue } from '../core/issue.js';
import { networkByName } from '../core/lab.js';
import { cidrContains, parseCidr } from '../net/ip.js';
import { broadcast, containsAddress, parseIPv4, parsePrefix } from '../net/ipv4.js';

export const addressRules: Rule = (lab) => {
  const out = [];
  const owners = new Map<string, string>();
  for (const node of lab.nodes) {
    for (const ifc of node.interfaces) {
      const net = networkByName(lab, ifc.network);
      // IPv6 addresses are the routing rules' (extraAddresses)
      if (!net?.prefix || ifc.address === undefined) continue;
      const p = parsePrefix(net.prefix);
      let a: number;
      try {
        a = parseIPv4(ifc.address);
      } catch (e) {
        out.push(
          issue(
            'address-invalid',
            ifc.path,
            (e as Error).message,
            'write a dotted IPv4 address, e.g. 10.0.0.5',
          ),
        );
        continue;
      }
      if (!containsAddress(p, a)) {
        out.push(
          issue(
            'address-outside-network',
            ifc.path,
            `${node.name}: ${ifc.address} is not inside ${net.name} (${net.prefix})`,
            'the node cannot reach its neighbors on this network: pick an address inside the prefix (or lower the index)',
          ),
        );
      } else if (p.length < 31 && (a === p.network || a === broadcast(p))) {
        out.push(
          issue(
            'address-reserved',
            ifc.path,
            `${node.name}: ${ifc.address} is the ${a === p.network ? 'network' : 'broadcast'} address of ${net.prefix}`,
            'the kernel refuses it or traffic to it is broadcast: use a host address',
          ),
        );
      }
      const owner = owners.get(ifc.address);
      if (owner) {
        out.push(
          issue(
            'address-duplicate',
            ifc.path,
            `${ifc.address} is used by both ${owner} and ${node.name}`,
            'ARP flips between the two nodes and sessions flap: give each interface its own address',
          ),
        );
      } else owners.set(ifc.address, node.name);
    }
  }
  for (const net of lab.networks) {
    if (!net.gateway) continue;
    const six = net.gateway.includes(':');
    const prefix = six ? net.prefix6 : net.prefix;
    const inside = six
      ? !!prefix && cidrContains(parseCidr(prefix), net.gateway)
      : !!prefix && containsAddress(parsePrefix(prefix), parseIPv4(net.gateway));
    if (!inside) {
      out.push(
        issue(
          'address-outside-network',
          [...net.path, 'gateway'],
          `gateway ${net.gateway} is not inside ${prefix ?? `${net.name}, which has no IPv${six ? 6 : 4} prefix`}`,
          'nodes cannot reach their gateway: pick an address inside the prefix',
        ),
      );
    }
  }
  return out;
};
