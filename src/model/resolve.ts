// Resolve: defaults, groups, automatic addresses and add-on-derived BGP, into the typed Lab.

import { localAddressTowards } from './addressing.js';
import { deriveCalicoBgp, resolveWorkloads } from './derive-calico.js';
import { deriveMetallbBgp } from './derive-metallb.js';
import { formatIPv4, hostAt, parsePrefix } from './ipv4.js';
import type { Issue, PushIssue } from './issue.js';
import {
  birdName,
  type Check,
  type Cluster,
  type Interface,
  type Lab,
  type Neighbor,
  type Network,
  type Node,
  selectNodes,
} from './lab.js';
import type { LoadedLab } from './load.js';

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
      push({
        code: 'prefix-invalid',
        path: [...path, 'prefix'],
        message: (e as Error).message,
        hint: 'write the network address with its length, e.g. 10.0.0.0/24',
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
        interfaces.push({
          name: ifc.name ?? `eth${i}`,
          network: net.name,
          address,
          cidr: `${address}/${net.length}`,
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
    node.bgp = {
      as,
      routerId: def.router_id ?? node.interfaces[0]?.address ?? '0.0.0.0',
      localAddress: node.interfaces[0]?.address ?? '0.0.0.0',
      neighbors: [],
      neighborRange: def.neighbor_range,
      import: def.import,
      export: def.export,
      ecmpLimit:
        ecmp === undefined || ecmp === false ? undefined : ecmp === true ? -1 : (ecmp.limit as number),
      routeReflector: def.route_reflector
        ? { clusterId: def.route_reflector.cluster_id ?? node.interfaces[0]?.address ?? '0.0.0.0' }
        : undefined,
      source: 'lab',
      path,
    };
  }
  // second pass: every node's AS is known, so neighbors can be named with theirs
  for (const node of lab.nodes) {
    const def = lab.raw.nodes[node.group ?? node.name]?.bgp;
    if (!def || !node.bgp || node.bgp.source !== 'lab') continue;
    const neighbors: Neighbor[] = [];
    def.neighbors.forEach((sel, i) => {
      const path = [...node.path, 'bgp', 'neighbors', i];
      const peers = selectNodes(lab, sel).filter((p) => p.name !== node.name);
      if (!peers.length)
        push({
          code: 'unknown-reference',
          path,
          message: `no node, group or cluster named '${sel}'`,
          hint: 'name nodes, groups or clusters defined in this file',
        });
      for (const peer of peers) {
        // a peer on a shared network is reached directly; otherwise through routers (multihop)
        const shared = peer.interfaces.find((pi) => node.interfaces.some((ni) => ni.network === pi.network));
        const address = (shared ?? peer.interfaces[0])?.address;
        if (!address) continue;
        if (!peer.bgp) {
          push({
            code: 'bgp-not-reciprocal',
            path,
            message: `${node.name} lists ${peer.name} as a BGP neighbor, but ${peer.name} speaks no BGP`,
            hint: 'the session stays in Active/Connect forever: configure BGP on the peer, or drop it here',
          });
          continue;
        }
        neighbors.push({
          node: peer.name,
          address,
          as: peer.bgp.as,
          protocol: birdName(peer.name),
          multihop: !shared,
          path,
        });
      }
    });
    node.bgp.neighbors = neighbors;
    const first = neighbors[0];
    if (first) node.bgp.localAddress = localAddressTowards(lab, node, first.address) ?? node.bgp.localAddress;
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
  resolveLabBgp(lab, push);
  lab.checks = resolveChecks(lab, push);
  return { lab, issues };
}
