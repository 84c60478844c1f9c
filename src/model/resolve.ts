// Resolve: the loaded file into the typed Lab, as a list of named phases run in order. Each phase
// resolves its section of the file and reads what earlier phases resolved, never their raw input.
// Who writes node.bgp, and in which order, is the `bgp` phase: the lab's own bgp: section, else the
// first add-on (in registry order) that makes the node speak BGP.

import { ADDONS, addonsOf } from '../addons/index.js';
import { firstAddressOf, routerIdOf } from '../core/addressing.js';
import type { Issue, PushIssue } from '../core/issue.js';
import type { Interface, Lab, Network, Node, NodeBgp } from '../core/lab.js';
import { clusterOf, selectNodes } from '../core/lab.js';
import { addressAt, familyOf, parseCidr } from '../net/ip.js';
import { formatIPv4, hostAt, parsePrefix } from '../net/ipv4.js';
import { resolveLinks } from './links.js';
import type { LoadedLab } from './load.js';
import { resolveSteps } from './resolve-steps.js';
import { completeLabBgp, resolveLoopbacks, resolveOspf } from './routing.js';

/** Seconds each named wait allows, unless the lab overrides it under waits:. */
export const DEFAULT_WAITS: Record<string, number> = {
  default: 30,
  bgp_session: 30,
  route: 30,
  http: 30,
};

/** networks: prefixes parsed, lengths known. */
function resolveNetworks(lab: Lab, push: PushIssue): void {
  const out: Network[] = lab.networks;
  for (const [name, n] of Object.entries(lab.raw.networks)) {
    const path = ['networks', name];
    let v4: { prefix: string; length: number } | undefined;
    if (n.prefix !== undefined) {
      try {
        v4 = { prefix: n.prefix, length: parsePrefix(n.prefix).length };
      } catch (e) {
        const v6 = familyOf(n.prefix.split('/')[0]) === 6;
        push({
          code: 'prefix-invalid',
          path: [...path, 'prefix'],
          message: v6
            ? `'${n.prefix}' is an IPv6 prefix: prefix holds the network's IPv4 prefix`
            : (e as Error).message,
          hint: v6
            ? 'put the IPv6 prefix in prefix6 (alone for an IPv6-only network, beside prefix for dual stack)'
            : 'write the network address with its length, e.g. 10.0.0.0/24',
        });
        continue;
      }
    }
    const net: Network = {
      name,
      ...v4,
      gateway: n.gateway,
      mtu: n.mtu,
      ...(n.unnumbered ? { unnumbered: true as const } : {}),
      path,
    };
    out.push(net);
    if (n.prefix6 === undefined) continue;
    try {
      const c = parseCidr(n.prefix6);
      if (c.family !== 6) throw new Error(`'${n.prefix6}' is not an IPv6 prefix`);
      net.prefix6 = n.prefix6;
    } catch (e) {
      if (!net.prefix) out.pop(); // nothing left to address it by: its interfaces say unknown-reference
      push({
        code: 'prefix-invalid',
        path: [...path, 'prefix6'],
        message: (e as Error).message,
        hint: 'write the IPv6 network with its length, e.g. 2001:db8:1::/64',
      });
    }
  }
}

/** Most nodes one lab may have on this host (each is a namespace, an sshd and its daemons). */
export const MAX_NODES = 1000;

/** How many nodes the file asks for, counted before making any of them. */
function nodeCount(raw: Lab['raw']): number {
  return Object.keys(raw.nodes).reduce((sum, name) => sum + membersOf(raw, name), 0);
}

/** How many nodes a definition makes: one, its count, or its count per member of its per: group. */
function membersOf(raw: Lab['raw'], name: string, seen: string[] = []): number {
  const def = raw.nodes[name];
  if (!def) return 0;
  const count = def.count as number | undefined;
  if (def.per === undefined) return Math.max(1, count ?? 1);
  // a per: chain that loops, or names no group, makes nothing here: the nodes phase says why
  if (seen.includes(name) || !raw.nodes[def.per]) return 0;
  return Math.max(0, count ?? 1) * membersOf(raw, def.per, [...seen, name]);
}

/** nodes: groups expanded into members, interfaces with their addresses. */
function expandNodes(lab: Lab, push: PushIssue): void {
  const { networks, nodes } = lab;
  const wanted = nodeCount(lab.raw);
  if (wanted > MAX_NODES) {
    push({
      code: 'lab-too-large',
      path: ['nodes'],
      message: `the lab asks for ${wanted} nodes, more than the ${MAX_NODES} one lab may have`,
      hint: 'every node is a namespace, an sshd and its daemons on this host: lower the counts',
    });
    return;
  }
  for (const [name, def] of Object.entries(lab.raw.nodes)) {
    const path = ['nodes', name];
    const per = perOf(lab, name, def.per, push);
    const count = per ? per.count : (def.count as number | undefined);
    const members = count === undefined ? [undefined] : Array.from({ length: count }, (_, i) => i + 1);
    if (count !== undefined && count < 1 && !per) {
      push({
        code: 'group-empty',
        path: [...path, 'count'],
        message: `a group needs at least one member, got ${count}`,
        hint: 'raise the count (or the parameter it reads)',
      });
    }
    for (const member of members) {
      const interfaces: Interface[] = [];
      def.interfaces.forEach((ifc, i) => {
        const ipath = [...path, 'interfaces', i];
        const net = networks.find((n) => n.name === ifc.network);
        if (!net) {
          push({
            code: 'unknown-reference',
            path: [...ipath, 'network'],
            message: `no network named '${ifc.network}'`,
            hint: `networks are: ${networks.map((n) => n.name).join(', ')}`,
          });
          return;
        }
        let address = ifc.address;
        if (!address && ifc.index !== undefined && net.prefix) {
          address = formatIPv4(hostAt(parsePrefix(net.prefix), (ifc.index as number) + (member ?? 0)));
        }
        if (address && familyOf(address) === 6) {
          push({
            code: 'address-invalid',
            path: [...ipath, 'address'],
            message: `${address} is an IPv6 address: address holds the interface's IPv4 address`,
            hint: 'give the network a prefix6 and the interface address6 (or an index for both)',
          });
          return;
        }
        if (address && !net.prefix) {
          push({
            code: 'address-outside-network',
            path: [...ipath, 'address'],
            message: `${address} is on ${net.name}, which is IPv6 only (no prefix)`,
            hint: 'give the network an IPv4 prefix too, or use address6',
          });
          return;
        }
        const address6 =
          ifc.address6 ??
          (net.prefix6 && ifc.index !== undefined
            ? addressAt(parseCidr(net.prefix6), (ifc.index as number) + (member ?? 0))
            : undefined);
        // an unnumbered link: its interfaces hold their IPv6 link-local addresses only
        if (!address && !address6 && !net.unnumbered) {
          push({
            code: 'address-missing',
            path: ipath,
            message: 'an interface needs an address or an index',
            hint: `add ${net.prefix ? 'address: a.b.c.d' : 'address6: an IPv6 address'}, or index: N for the N-th address of the network`,
          });
          return;
        }
        if (address6 && !net.prefix6) {
          push({
            code: 'address-outside-network',
            path: [...ipath, 'address6'],
            message: `${address6} is on ${net.name}, which has no IPv6 prefix`,
            hint: 'give the network a prefix6 (e.g. 2001:db8:1::/64), or drop address6',
          });
        }
        const len6 = net.prefix6 ? net.prefix6.split('/')[1] : '128';
        interfaces.push({
          name: ifc.name ?? `eth${i}`,
          network: net.name,
          ...(address ? { address, cidr: `${address}/${net.length}` } : {}),
          ...(address6 ? { address6, cidr6: `${address6}/${len6}` } : {}),
          path: [...ipath, ifc.address ? 'address' : ifc.address6 ? 'address6' : 'index'],
        });
      });
      nodes.push({
        name: member === undefined ? name : `${name}${member}`,
        group: member === undefined ? undefined : name,
        member,
        ...(per && member !== undefined ? { parent: per.parentOf(member) } : {}),
        roles: def.roles,
        cluster: def.cluster,
        interfaces,
        // the schema lets through a gateway or a type, never both nor neither
        routes: def.routes as Node['routes'],
        vars: def.vars,
        path,
      });
    }
  }
}

/** A per: group: count members for each member of the group it names (defined before it). */
function perOf(lab: Lab, name: string, per: string | undefined, push: PushIssue) {
  if (per === undefined) return undefined;
  const each = Math.max(0, (lab.raw.nodes[name].count as number | undefined) ?? 1);
  const parents = lab.nodes.filter((n) => n.group === per || (n.name === per && n.group === undefined));
  if (!parents.length && lab.raw.nodes[per]?.count !== 0) {
    push({
      code: 'unknown-reference',
      path: ['nodes', name, 'per'],
      message: `${name} has ${each} members per member of '${per}', which is no node or group defined before it`,
      hint: `name a node or group listed above ${name} under nodes:`,
    });
    return undefined;
  }
  return {
    count: each * parents.length,
    parentOf: (member: number) => parents[Math.ceil(member / each) - 1].name,
  };
}

/** clusters: members by node or group; a node's cluster is the first that lists it. */
function resolveClusters(lab: Lab, push: PushIssue): void {
  const { nodes, clusters } = lab;
  for (const [name, c] of Object.entries(lab.raw.clusters)) {
    const path = ['clusters', name];
    const members: string[] = [];
    c.members.forEach((sel, i) => {
      const found = nodes.filter((n) => n.name === sel || n.group === sel);
      if (!found.length)
        push({
          code: 'unknown-reference',
          path: [...path, 'members', i],
          message: `no node or group named '${sel}'`,
          hint: 'list node names or group names defined under nodes:',
        });
      members.push(...found.map((n) => n.name));
    });
    for (const n of nodes) if (members.includes(n.name)) n.cluster ??= name;
    clusters.push({
      name,
      kind: c.kind,
      id: c.id as number | undefined,
      as: c.as as number | undefined,
      members,
      controlPlane: c.control_plane,
      podSubnet: c.pod_subnet,
      serviceSubnet: c.service_subnet,
      fabricSubnet: c.fabric_subnet,
      kubernetesVersion: c.kubernetes_version,
      addons: c.addons,
      path,
    });
  }
  // a node's own cluster: must name one (a typo would leave it out of its cluster's files)
  const groups = new Set<string>();
  for (const n of nodes) {
    const key = n.group ?? n.name;
    const own = lab.raw.nodes[key]?.cluster;
    if (own === undefined || lab.raw.clusters[own] || groups.has(key)) continue;
    groups.add(key);
    push({
      code: 'unknown-reference',
      path: ['nodes', key, 'cluster'],
      message: `node ${key} is in cluster '${own}', which the lab does not define`,
      hint: `name one of the lab's clusters (${Object.keys(lab.raw.clusters).join(', ') || 'none'}), or leave cluster: out`,
    });
  }
}

/** The lab's own bgp: section of a node (without neighbors yet); undefined when it has none. */
function labBgpOf(lab: Lab, node: Node, push: PushIssue): NodeBgp | undefined {
  const def = lab.raw.nodes[node.group ?? node.name]?.bgp;
  if (!def) return undefined;
  const path = [...node.path, 'bgp'];
  const cluster = clusterOf(lab, node);
  // private: a number of its own comes once every explicit AS is known (allocatePrivateAs)
  const as = def.as === 'private' ? 0 : ((def.as as number | undefined) ?? cluster?.as);
  if (as === undefined) {
    push({
      code: 'bgp-no-as',
      path,
      message: `node ${node.name} speaks BGP but has no AS number`,
      hint: 'set bgp.as on the node or as: on its cluster',
    });
    return undefined;
  }
  const ecmp = def.ecmp;
  const routerId = routerIdOf(lab, node, def.router_id);
  return {
    as,
    routerId,
    localAddress: firstAddressOf(node) ?? '0.0.0.0',
    neighbors: [],
    neighborRange: def.neighbor_range,
    import: def.import,
    export: def.export,
    ecmpLimit: ecmp === undefined || ecmp === false ? undefined : ecmp === true ? -1 : (ecmp.limit as number),
    routeReflector: def.route_reflector
      ? { clusterId: def.route_reflector.cluster_id ?? routerId }
      : undefined,
    source: 'lab',
    path,
  };
}

/** The BGP an add-on of the node's cluster makes it speak: the first add-on, in registry order, that does. */
function addonBgpOf(lab: Lab, node: Node): NodeBgp | undefined {
  const cluster = clusterOf(lab, node);
  if (!cluster) return undefined;
  for (const addon of addonsOf(cluster)) {
    const bgp = addon.bgp?.(lab, cluster, node);
    if (bgp) return bgp;
  }
  return undefined;
}

/** bgp: the one writer of node.bgp. The lab's own section wins over an add-on's; then the lab's
 * neighbors are resolved, once every node's AS is known. */
function resolveBgp(lab: Lab, push: PushIssue): void {
  for (const node of lab.nodes) node.bgp = labBgpOf(lab, node, push) ?? addonBgpOf(lab, node);
  allocatePrivateAs(lab, push);
  // second pass: every node's AS is known, so sessions can be named with theirs
  for (const node of lab.nodes) {
    if (node.bgp?.source !== 'lab') continue;
    completeLabBgp(lab, node, node.bgp, push);
    if (node.bgp.ecmpLimit === -1) node.bgp.ecmpLimit = Math.max(16, node.bgp.neighbors.length);
  }
}

/** The private AS ranges (RFC 6996), 2-byte first: 64512-65534, then 4200000000-4294967294. */
const PRIVATE_AS: [number, number][] = [
  [64512, 65534],
  [4200000000, 4294967294],
];

/** The first `count` private ASes not in `used`, in order; fewer when the ranges run out. */
export function privateAses(count: number, used: Set<number>): number[] {
  const out: number[] = [];
  for (const [first, last] of PRIVATE_AS)
    for (let as = first; as <= last && out.length < count; as++) if (!used.has(as)) out.push(as);
  return out;
}

/** bgp.as: private: each such node the next private AS no other node or cluster of the lab uses. */
function allocatePrivateAs(lab: Lab, push: PushIssue): void {
  const wants = lab.nodes.filter((n) => n.bgp && lab.raw.nodes[n.group ?? n.name]?.bgp?.as === 'private');
  if (!wants.length) return;
  const used = new Set([
    ...lab.nodes.flatMap((n) => (n.bgp && !wants.includes(n) ? [n.bgp.as] : [])),
    ...lab.clusters.flatMap((c) => (c.as === undefined ? [] : [c.as])),
  ]);
  const ases = privateAses(wants.length, used);
  wants.forEach((node, i) => {
    if (i < ases.length) {
      node.bgp!.as = ases[i];
      return;
    }
    if (i === ases.length)
      push({
        code: 'pool-exhausted',
        path: [...node.path, 'bgp', 'as'],
        message: `no private AS left for ${node.name} (and the ones after it)`,
        hint: 'give some nodes an AS of their own (bgp.as: N)',
      });
    node.bgp = undefined;
  });
}

/** checks: each on a node, under a named wait. A check on a group (or a cluster) is one check per
 * member, under the same name: every vRouter's route, not only the first one's. */
function resolveChecks(lab: Lab, push: PushIssue): void {
  lab.checks = lab.raw.checks.flatMap((c) => {
    const i = lab.raw.checks.indexOf(c);
    const path = ['checks', i];
    const targets = selectNodes(lab, c.node);
    // a per: group of no members (servers: 0): nothing to check, not an unknown name
    if (!targets.length && lab.raw.nodes[c.node]?.per !== undefined) return [];
    if (!targets.length) {
      push({
        code: 'unknown-reference',
        path: [...path, 'node'],
        message: `check ${c.name} runs on '${c.node}', which is no node, node group or cluster`,
        hint: `nodes are: ${lab.nodes.map((n) => n.name).join(', ')}`,
      });
    }
    // own names only: wait: constructor found Object's constructor, and lint said ok
    const timeout = Object.hasOwn(lab.waits, c.wait) ? lab.waits[c.wait] : undefined;
    if (timeout === undefined) {
      push({
        code: 'unknown-reference',
        path: [...path, 'wait'],
        message: `no wait named '${c.wait}'`,
        hint: `declare it under waits: (known: ${Object.keys(lab.waits).join(', ')})`,
      });
    }
    return (targets.length ? targets.map((n) => n.name) : [c.node]).map((node) => ({
      name: c.name,
      description: c.description,
      node,
      run: c.run,
      repeat: c.repeat
        ? { count: c.repeat.count as number, var: c.repeat.var, start: c.repeat.start }
        : undefined,
      expect: c.expect,
      wait: c.wait,
      timeout: timeout ?? DEFAULT_WAITS.default,
      path,
    }));
  });
}

/** workloads: each lands on a node that holds a pod block (given by an add-on: Calico's nodes) and
 * takes the next address of that block, in the order the lab lists them. */
function resolveWorkloads(lab: Lab, push: PushIssue): void {
  const taken = new Map<string, number>();
  lab.raw.workloads.forEach((w, i) => {
    const path = ['workloads', i];
    // pods on a Tungsten Fabric vRouter take their addresses from TF's IPAM (addons/tungsten-fabric)
    if (lab.nodes.find((n) => n.name === w.node)?.roles.includes('tf-vrouter')) return;
    const block = lab.blocks[w.node];
    if (!block) {
      const why = lab.nodes.some((n) => n.name === w.node)
        ? `${w.node} holds no pod addresses (neither a calico-node, a cilium-agent nor a tf-vrouter)`
        : `no node named '${w.node}'`;
      push({
        code: 'unknown-reference',
        path: [...path, 'node'],
        message: `workload ${w.name}: ${why}`,
        hint: 'workloads land on nodes with the calico-node, cilium-agent or tf-vrouter role, which hand out their addresses',
      });
      return;
    }
    const n = (taken.get(w.node) ?? 0) + 1;
    taken.set(w.node, n);
    lab.workloads.push({
      name: w.name,
      node: w.node,
      address: formatIPv4(hostAt(parsePrefix(block), n)),
      block,
      serve: w.serve,
      labels: w.labels,
      path,
    });
  });
}

/** add-ons: what each add-on decides for the whole lab (pod blocks), in registry order. */
function deriveAddons(lab: Lab, push: PushIssue): void {
  for (const addon of ADDONS) addon.derive?.(lab, push);
}

type Phase = (lab: Lab, push: PushIssue) => void;

/** The phases of resolve, in order; each reads what the ones before it resolved. */
export const RESOLVE_PHASES: { name: string; run: Phase }[] = [
  { name: 'networks', run: resolveNetworks },
  { name: 'nodes', run: expandNodes },
  { name: 'links', run: resolveLinks },
  { name: 'clusters', run: resolveClusters },
  { name: 'add-ons', run: deriveAddons },
  { name: 'workloads', run: resolveWorkloads },
  { name: 'loopbacks', run: resolveLoopbacks },
  { name: 'bgp', run: resolveBgp },
  { name: 'ospf', run: resolveOspf },
  { name: 'checks', run: resolveChecks },
  {
    name: 'steps',
    run: (lab, push) => {
      lab.steps = resolveSteps(lab, push);
    },
  },
];

/** Turns a loaded lab into the typed model; problems that make parts unresolvable come back as issues. */
export function resolveLab(loaded: LoadedLab): { lab: Lab; issues: Issue[] } {
  const issues: Issue[] = [];
  const push: PushIssue = (i) => issues.push({ severity: 'error', ...i });
  const { raw } = loaded;
  const lab: Lab = {
    name: raw.name,
    description: raw.description,
    file: loaded.file,
    dir: loaded.dir,
    provider: raw.provider,
    params: loaded.params,
    managementPrefix: raw.management.prefix,
    networks: [],
    nodes: [],
    clusters: [],
    checks: [],
    waits: { ...DEFAULT_WAITS, ...raw.waits },
    steps: [],
    workloads: [],
    services: [],
    blocks: {},
    requirements: raw.requirements,
    raw,
  };
  for (const phase of RESOLVE_PHASES) {
    phase.run(lab, push);
    // a lab too large to make has no nodes: later phases would only report them missing
    if (issues.some((i) => i.code === 'lab-too-large')) break;
  }
  return { lab, issues };
}
