// Prefixes that must be disjoint: node networks, pod/service/fabric subnets, LB and pod pools, management, host routes.

import { addonsOf } from '../addons/index.js';
import type { HostFacts, Rule, Space } from '../contracts/lint.js';
import type { Issue } from '../core/issue.js';
import { issue } from '../core/issue.js';
import type { Lab } from '../core/lab.js';
import { prefixesOverlap } from '../net/ip.js';

export function addressSpaces(lab: Lab): Space[] {
  const out: Space[] = lab.networks
    // a link's /31s are carved from its pool in order, disjoint by construction: the pool stands for them
    .flatMap((n) => (n.prefix && !n.link ? [{ ...n, prefix: n.prefix }] : []))
    .map((n) => ({
      prefix: n.prefix,
      what: `network ${n.name}`,
      kind: 'network' as const,
      path: [...n.path, 'prefix'],
    }));
  for (const [name, link] of Object.entries(lab.raw.links))
    out.push({
      prefix: link.pool,
      what: `link ${name}'s pool`,
      kind: 'network',
      path: ['links', name, 'pool'],
    });
  for (const c of lab.clusters) {
    const subnets = [
      [c.podSubnet, 'pod', 'pod_subnet'],
      [c.serviceSubnet, 'service', 'service_subnet'],
      [c.fabricSubnet, 'fabric', 'fabric_subnet'],
    ] as const;
    for (const [prefix, kind, key] of subnets) {
      if (prefix)
        out.push({
          prefix,
          what: `${kind} subnet of ${c.name}`,
          kind,
          cluster: c.name,
          path: [...c.path, key],
        });
    }
    // the add-ons' own address spaces: MetalLB's pools, Calico's IP pools
    for (const addon of addonsOf(c))
      out.push(...(addon.spaces?.(c) ?? []).map((sp) => ({ ...sp, cluster: c.name })));
  }
  if (lab.managementPrefix)
    out.push({
      prefix: lab.managementPrefix,
      what: 'the management network',
      kind: 'management',
      path: ['management', 'prefix'],
    });
  return out;
}

const HINTS: Record<string, string> = {
  'pod/pod':
    'overlapping pod subnets: cross-cluster traffic works in one direction only and degrades over time; give each cluster its own',
  'pod-pool/pod-pool':
    'overlapping pod pools: two nodes announce the same block and pods of one side are unreachable from the other',
  'network/network': 'a node cannot tell which interface reaches an address: routes go to the wrong network',
  'lb-pool/network': 'a service address that is also a node network: clients reach a node, not the service',
  management:
    'the lab management network would shadow a route: SSH to the nodes (or the host) goes to the wrong place; pick another management prefix',
};

function hintFor(a: Space, b: Space): string {
  const key = [a.kind, b.kind].sort().join('/');
  if (a.kind === 'management' || b.kind === 'management') return HINTS.management;
  if (HINTS[key]) return HINTS[key];
  if ([a.kind, b.kind].some((k) => ['pod', 'service', 'fabric'].includes(k))) {
    return 'overlapping cluster subnets: traffic to one is routed to the other, so the demo works in one direction only; make them disjoint';
  }
  return 'the same addresses mean two things: routing picks one and the other is unreachable; make them disjoint';
}

function nested(a: Space, b: Space): boolean {
  // a cluster's Calico pool is carved out of its own pod subnet
  return !!a.cluster && a.cluster === b.cluster && [a.kind, b.kind].sort().join('/') === 'pod/pod-pool';
}

export const overlapRules: Rule = (lab, host) => {
  const spaces = addressSpaces(lab);
  const out: Issue[] = [];
  for (let i = 0; i < spaces.length; i++) {
    for (let j = i + 1; j < spaces.length; j++) {
      const [a, b] = [spaces[i], spaces[j]];
      if (nested(a, b) || !prefixesOverlap(a.prefix, b.prefix)) continue;
      out.push(
        issue(
          'prefix-overlap',
          b.path,
          `${b.what} (${b.prefix}) overlaps ${a.what} (${a.prefix})`,
          hintFor(a, b),
        ),
      );
    }
  }
  return [...out, ...hostOverlaps(spaces, host)];
};

function hostOverlaps(spaces: Space[], host: HostFacts): Issue[] {
  const out: Issue[] = [];
  const mgmt = spaces.find((s) => s.kind === 'management');
  for (const route of host.routes) {
    if (mgmt && prefixesOverlap(mgmt.prefix, route)) {
      out.push(
        issue(
          'mgmt-overlaps-host',
          mgmt.path,
          `the management network ${mgmt.prefix} overlaps the host route ${route}`,
          HINTS.management,
        ),
      );
    }
  }
  for (const other of host.otherLabs) {
    if (mgmt && prefixesOverlap(mgmt.prefix, other.prefix)) {
      out.push(
        issue(
          'mgmt-overlaps-lab',
          mgmt.path,
          `the management network ${mgmt.prefix} is in use by the running lab ${other.instance}`,
          "SSH would reach the other lab's nodes: pick another management prefix, or leave it out to get a free one",
        ),
      );
    }
  }
  return out;
}
