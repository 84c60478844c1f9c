// A node's own settings that lint used to pass and `up` then tripped on: interface names, static
// routes' prefixes and gateways, role vars' values, and the regular expressions of checks.

import type { Rule } from '../contracts/lint.js';
import type { Issue } from '../core/issue.js';
import { issue } from '../core/issue.js';
import { type Lab, type Node, networkByName } from '../core/lab.js';
import { labRegexError } from '../core/lab-regex.js';
import { cidrContains, familyOf, parseCidr } from '../net/ip.js';
import { ROLES } from '../roles/index.js';

/** Names the node already has: the loopback, and the management link the provider adds. */
const RESERVED_IFNAMES = new Set(['lo', 'mgmt0']);

function interfaceIssues(node: Node): Issue[] {
  const out: Issue[] = [];
  const seen = new Set<string>();
  for (const ifc of node.interfaces) {
    const path = ifc.path.slice(0, -1);
    if (RESERVED_IFNAMES.has(ifc.name))
      out.push(
        issue(
          'name-reserved',
          [...path, 'name'],
          `node ${node.name}: the interface name '${ifc.name}' is taken (${ifc.name === 'lo' ? 'the loopback' : 'the management link'})`,
          'creating the node fails with "File exists": choose another name, or leave name out (eth0, eth1, ...)',
        ),
      );
    if (seen.has(ifc.name))
      out.push(
        issue(
          'name-duplicate',
          [...path, 'name'],
          `node ${node.name} has two interfaces named ${ifc.name}`,
          'creating the second fails with "File exists": give each interface its own name',
        ),
      );
    seen.add(ifc.name);
  }
  return out;
}

function routeIssues(lab: Lab, node: Node, holders: Map<string, string>): Issue[] {
  const out: Issue[] = [];
  // an interface that did not resolve is reported already; its network's gateways are unknown
  const declared = lab.raw.nodes[node.group ?? node.name]?.interfaces.length ?? 0;
  if (node.interfaces.length < declared) return out;
  const connected = node.interfaces.flatMap((i) => {
    const net = networkByName(lab, i.network);
    return net
      ? [net.prefix, net.prefix6].flatMap((p) => (p ? [{ name: net.name, cidr: parseCidr(p) }] : []))
      : [];
  });
  node.routes.forEach((r, i) => {
    const path = [...node.path, 'routes', i];
    if (r.to !== 'default') {
      try {
        parseCidr(r.to);
      } catch (e) {
        out.push(
          issue(
            'route-invalid',
            [...path, 'to'],
            `node ${node.name}: route to ${(e as Error).message}`,
            'the route cannot be installed and up fails: write a prefix such as 172.16.254.0/24, or default',
          ),
        );
      }
    }
    // a discard route has no gateway to check
    if (r.via === undefined) return;
    if (!familyOf(r.via)) {
      // a node's name (netlab's nexthop.node) is not resolved: ip route would refuse it at up
      const gateway = lab.nodes.find((n) => n.name === r.via);
      const shared = gateway?.interfaces.find(
        (i) => node.interfaces.some((o) => o.network === i.network) && (i.address ?? i.address6),
      );
      out.push(
        issue(
          'route-invalid',
          [...path, 'via'],
          `node ${node.name}: the gateway '${r.via}' is not an IP address`,
          shared
            ? `up fails ("inet address is expected"): a gateway is an address, not a node; ${r.via}'s on ${shared.network} is ${shared.address ?? shared.address6}`
            : 'up fails ("inet address is expected"): write the address of a router on one of its networks',
        ),
      );
      return;
    }
    let toFamily: number | undefined;
    try {
      toFamily = r.to === 'default' ? undefined : parseCidr(r.to).family;
    } catch {
      // reported above
    }
    if (toFamily !== undefined && toFamily !== familyOf(r.via)) {
      out.push(
        issue(
          'route-invalid',
          [...path, 'via'],
          `node ${node.name}: the route to ${r.to} (IPv${toFamily}) has an IPv${familyOf(r.via)} gateway, ${r.via}`,
          `up fails ("inet${toFamily === 6 ? '6' : ''} address is expected"): give a gateway of the prefix's family`,
        ),
      );
      return;
    }
    const net = connected.find((c) => cidrContains(c.cidr, r.via));
    if (!net) {
      out.push(
        issue(
          'route-via-unreachable',
          [...path, 'via'],
          `node ${node.name}: the gateway ${r.via} is on none of its networks (${[...new Set(connected.map((c) => c.name))].join(', ') || 'none'})`,
          'the kernel refuses the route ("Nexthop has invalid gateway"): use the address of a router on one of its networks',
        ),
      );
      return;
    }
    const holder = holders.get(r.via);
    if (!holder || holder === node.name)
      out.push(
        issue(
          'route-via-unknown',
          [...path, 'via'],
          holder
            ? `node ${node.name}: the gateway ${r.via} is the node's own address`
            : `node ${node.name}: no node holds the gateway ${r.via} on ${net.name}`,
          'traffic on this route goes nowhere (the gateway never answers ARP): use the address of the router node',
        ),
      );
  });
  return out;
}

/** Values of the vars a node's roles read, checked by the role that reads them. */
function varIssues(lab: Lab): Issue[] {
  const out: Issue[] = [];
  for (const [name, def] of Object.entries(lab.raw.nodes)) {
    for (const [key, value] of Object.entries(def.vars ?? {})) {
      for (const role of def.roles) {
        const wrong = ROLES[role]?.checkVar?.(key, value);
        if (wrong)
          out.push(
            issue(
              'var-invalid',
              ['nodes', name, 'vars', key],
              `node ${name}: vars.${key} = ${JSON.stringify(value)}: ${wrong}`,
              `${role} would render a configuration its daemon refuses: fix the value`,
            ),
          );
      }
    }
  }
  return out;
}

/** A check's regular expressions must compile, or the check crashes instead of judging. */
function checkRegexIssues(lab: Lab): Issue[] {
  const out: Issue[] = [];
  for (const c of lab.checks) {
    const patterns: [string, string[]][] = [];
    if (c.expect.match !== undefined) patterns.push([c.expect.match, ['expect', 'match']]);
    if (c.expect.lines) patterns.push([c.expect.lines.match, ['expect', 'lines', 'match']]);
    for (const [pattern, sub] of patterns) {
      const error = labRegexError(pattern);
      if (error)
        out.push(
          issue(
            'check-regex-invalid',
            [...c.path, ...sub],
            `check ${c.name}: ${error}`,
            'the check could never pass: fix the regular expression (RE2 syntax: no backreferences or lookaround; escape ( [ . with \\)',
          ),
        );
    }
  }
  return out;
}

export const nodeRules: Rule = (lab) => {
  // who holds each address, built once: lint stays linear in the number of nodes
  const holders = new Map<string, string>();
  for (const n of lab.nodes)
    for (const a of n.interfaces.flatMap((i) => [i.address, i.address6]))
      if (a && !holders.has(a)) holders.set(a, n.name);
  return [
    // a group's members share their definition: its first member speaks for all
    ...lab.nodes
      .filter((n) => (n.member ?? 1) === 1)
      .flatMap((n) => [...interfaceIssues(n), ...routeIssues(lab, n, holders)]),
    ...varIssues(lab),
    ...checkRegexIssues(lab),
  ];
};
