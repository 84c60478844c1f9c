// Resolve: defaults, groups, automatic addresses and add-on-derived BGP, into the typed Lab.

import { deriveCalicoBgp, resolveWorkloads } from './derive-calico.js';
import { deriveMetallbBgp } from './derive-metallb.js';
import { addressAt, familyOf, parseCidr } from './ip.js';
import { formatIPv4, hostAt, parsePrefix } from './ipv4.js';
import type { Issue, PushIssue } from './issue.js';
import type { Check, Cluster, Interface, Lab, Network, Node } from './lab.js';
import type { LoadedLab } from './load.js';
import { completeLabBgp, resolveLoopbacks, resolveOspf } from './routing.js';

/** Seconds each named wait allows, unless the lab overrides it under waits:. */
export const DEFAULT_WAITS: Record<string, number> = {
  default: 30,
  bgp_session: 30,
  route: 30,
  http: 30,
};

function resolveNetworks(raw: LoadedLab['raw'], push: PushIssue): Network[] {
  const out: Network[] = [];
  for (const [name, n] of Object.entries(raw.networks)) {
    const path = ['networks', name];
    try {
      const p = parsePrefix(n.prefix);
      out.push({ name, prefix: n.prefix, length: p.length, gateway: n.gateway, mtu: n.mtu, path });
    } catch (e) {
      const v6 = familyOf(n.prefix.split('/')[0]) === 6;
      push({
        code: 'prefix-invalid',
        path: [...path, 'prefix'],
        message: v6
          ? `'${n.prefix}' is an IPv6 prefix: prefix holds the network's IPv4 prefix`
          : (e as Error).message,
        hint: v6
          ? 'dual stack: keep an IPv4 prefix and put the IPv6 one in prefix6 (interfaces take address6)'
          : 'write the network address with its length, e.g. 10.0.0.0/24',
      });
      continue;
    }
    if (n.prefix6 === undefined) continue;
    try {
      const c = parseCidr(n.prefix6);
      if (c.family !== 6) throw new Error(`'${n.prefix6}' is not an IPv6 prefix`);
      out[out.length - 1].prefix6 = n.prefix6;
    } catch (e) {
      push({
        code: 'prefix-invalid',
        path: [...path, 'prefix6'],
        message: (e as Error).message,
        hint: 'write the IPv6 network with its length, e.g. 2001:db8:1::/64',
      });
    }
  }
  return out;
}

function expandNodes(raw: LoadedLab['raw'], networks: Network[], push: PushIssue): Node[] {
  const nodes: Node[] = [];
  for (const [name, def] of Object.entries(raw.nodes)) {
    const path = ['nodes', name];
    const count = def.count as number | undefined;
    const members = count === undefined ? [undefined] : Array.from({ length: count }, (_, i) => i + 1);
    if (count !== undefined && count < 1) {
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
        if (!address && ifc.index !== undefined) {
          address = formatIPv4(hostAt(parsePrefix(net.prefix), (ifc.index as number) + (member ?? 0)));
        }
        if (!address) {
          push({
            code: 'address-missing',
            path: ipath,
            message: 'an interface needs an address or an index',
            hint: 'add address: a.b.c.d, or index: N for the N-th address of the network',
          });
          return;
        }
        if (familyOf(address) === 6) {
          push({
            code: 'address-invalid',
            path: [...ipath, 'address'],
            message: `${address} is an IPv6 address: address holds the interface's IPv4 address`,
            hint: 'dual stack: give the network a prefix6 and the interface address6 (or an index for both)',
          });
          return;
        }
        const address6 =
          ifc.address6 ??
          (net.prefix6 && ifc.index !== undefined
            ? addressAt(parseCidr(net.prefix6), (ifc.index as number) + (member ?? 0))
            : undefined);
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
          address,
          cidr: `${address}/${net.length}`,
          ...(address6 ? { address6, cidr6: `${address6}/${len6}` } : {}),
          path: [...ipath, ifc.address ? 'address' : 'index'],
        });
      });
      nodes.push({
        name: member === undefined ? name : `${name}${member}`,
        group: member === undefined ? undefined : name,
        member,
        roles: def.roles,
        cluster: def.cluster,
        interfaces,
        routes: def.routes,
        vars: def.vars,
        path,
      });
    }
  }
  return nodes;
}

function resolveClusters(raw: LoadedLab['raw'], nodes: Node[], push: PushIssue): Cluster[] {
  const clusters: Cluster[] = [];
  for (const [name, c] of Object.entries(raw.clusters)) {
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
  return clusters;
}

function resolveLabBgp(lab: Lab, push: PushIssue): void {
  for (const node of lab.nodes) {
    const def = lab.raw.nodes[node.group ?? node.name]?.bgp;
    if (!def) continue;
    const path = [...node.path, 'bgp'];
    const cluster = lab.clusters.find((c) => c.name === node.cluster);
    const as = (def.as as number | undefined) ?? cluster?.as;
    if (as === undefined) {
      push({
        code: 'bgp-no-as',
        path,
        message: `node ${node.name} speaks BGP but has no AS number`,
        hint: 'set bgp.as on the node or as: on its cluster',
      });
      continue;
    }
    const ecmp = def.ecmp;
    const routerId = def.router_id ?? node.loopback?.ipv4 ?? node.interfaces[0]?.address ?? '0.0.0.0';
    node.bgp = {
      as,
      routerId,
      localAddress: node.interfaces[0]?.address ?? '0.0.0.0',
      neighbors: [],
      neighborRange: def.neighbor_range,
      import: def.import,
      export: def.export,
      ecmpLimit:
        ecmp === undefined || ecmp === false ? undefined : ecmp === true ? -1 : (ecmp.limit as number),
      routeReflector: def.route_reflector
        ? { clusterId: def.route_reflector.cluster_id ?? routerId }
        : undefined,
      source: 'lab',
      path,
    };
  }
  // second pass: every node's AS is known, so neighbors can be named with theirs
  for (const node of lab.nodes) {
    const def = lab.raw.nodes[node.group ?? node.name]?.bgp;
    if (!def || !node.bgp || node.bgp.source !== 'lab') continue;
    completeLabBgp(lab, node, node.bgp, push);
    const neighbors = node.bgp.neighbors;
    if (node.bgp.ecmpLimit === -1) node.bgp.ecmpLimit = Math.max(16, neighbors.length);
  }
}

function resolveChecks(lab: Lab, push: PushIssue): Check[] {
  return lab.raw.checks.map((c, i) => {
    const path = ['checks', i];
    if (!lab.nodes.some((n) => n.name === c.node)) {
      push({
        code: 'unknown-reference',
        path: [...path, 'node'],
        message: `check ${c.name} runs on '${c.node}', which is no node`,
        hint: `nodes are: ${lab.nodes.map((n) => n.name).join(', ')}`,
      });
    }
    const timeout = lab.waits[c.wait];
    if (timeout === undefined) {
      push({
        code: 'unknown-reference',
        path: [...path, 'wait'],
        message: `no wait named '${c.wait}'`,
        hint: `declare it under waits: (known: ${Object.keys(lab.waits).join(', ')})`,
      });
    }
    return {
      name: c.name,
      description: c.description,
      node: c.node,
      run: c.run,
      repeat: c.repeat
        ? { count: c.repeat.count as number, var: c.repeat.var, start: c.repeat.start }
        : undefined,
      expect: c.expect,
      wait: c.wait,
      timeout: timeout ?? DEFAULT_WAITS.default,
      path,
    };
  });
}

/** Turns a loaded lab into the typed model; problems that make parts unresolvable come back as issues. */
export function resolveLab(loaded: LoadedLab): { lab: Lab; issues: Issue[] } {
  const issues: Issue[] = [];
  const push: PushIssue = (i) => issues.push({ severity: 'error', ...i });
  const { raw } = loaded;
  const networks = resolveNetworks(raw, push);
  const nodes = expandNodes(raw, networks, push);
  const clusters = resolveClusters(raw, nodes, push);
  const lab: Lab = {
    name: raw.name,
    description: raw.description,
    file: loaded.file,
    dir: loaded.dir,
    provider: raw.provider,
    params: loaded.params,
    managementPrefix: raw.management.prefix,
    networks,
    nodes,
    clusters,
    checks: [],
    waits: { ...DEFAULT_WAITS, ...raw.waits },
    workloads: [],
    blocks: {},
    requirements: raw.requirements,
    raw,
  };
  deriveMetallbBgp(lab, push);
  deriveCalicoBgp(lab, push);
  resolveWorkloads(lab, push);
  resolveLoopbacks(lab, push);
  resolveLabBgp(lab, push);
  resolveOspf(lab, push);
  lab.checks = resolveChecks(lab, push);
  return { lab, issues };
}
