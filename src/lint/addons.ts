// Add-on traps: MetalLB configInline, unrouted pools, Tungsten Fabric gateway and CIDRs, Cilium ids and names.
import { containsCidr } from 'cidr-tools';
import { containsAddress, parseIPv4, parsePrefix } from '../model/ipv4.js';
import type { Issue } from '../model/issue.js';
import { type Cluster, type Lab, selectNodes } from '../model/lab.js';
import { issue, type Rule } from './rule.js';

function versionTuple(v: string): number[] {
  return v
    .replace(/^v/, '')
    .split('.')
    .map((x) => Number.parseInt(x, 10) || 0);
}

export function compareVersions(a: string, b: string): number {
  const [x, y] = [versionTuple(a), versionTuple(b)];
  for (let i = 0; i < 3; i++) if ((x[i] ?? 0) !== (y[i] ?? 0)) return (x[i] ?? 0) - (y[i] ?? 0);
  return 0;
}

function metallbIssues(lab: Lab, c: Cluster): Issue[] {
  const m = c.addons.metallb;
  if (!m) return [];
  const out: Issue[] = [];
  const path = [...c.path, 'addons', 'metallb'];
  if (m.config === 'configInline') {
    const v = m.chart_version;
    if (compareVersions(v, '0.12.1') > 0) {
      const symptom =
        compareVersions(v, '0.13.3') >= 0
          ? 'the chart fails on purpose when configInline is set'
          : 'the chart ignores configInline silently and no service gets an address';
      out.push(
        issue(
          'metallb-config-inline',
          [...path, 'config'],
          `MetalLB chart ${v} does not support configInline (only 0.10.0 to 0.12.1)`,
          `${symptom}: use config: crds (IPAddressPool, BGPPeer, BGPAdvertisement)`,
        ),
      );
    } else if (compareVersions(v, '0.10.0') < 0) {
      out.push(
        issue(
          'metallb-config-inline',
          [...path, 'chart_version'],
          `MetalLB chart ${v} predates configInline (0.10.0 to 0.12.1)`,
          'the value is ignored and no service gets an address: use a chart from 0.10.0 to 0.12.1, or CRDs with 0.13.2+',
        ),
      );
    }
  } else if (compareVersions(m.chart_version, '0.13.2') < 0) {
    out.push(
      issue(
        'metallb-crds-too-old',
        [...path, 'chart_version'],
        `MetalLB chart ${m.chart_version} has no CRDs (they start with 0.13.2)`,
        'kubectl apply fails with "no matches for kind IPAddressPool": use chart 0.13.2 or later',
      ),
    );
  }
  if (m.speaker === 'frr' && new Set(m.peers.map((p) => p.my_asn)).size > 1) {
    out.push(
      issue(
        'metallb-frr-asn',
        [...path, 'peers'],
        'MetalLB in FRR mode needs one myASN for all peers',
        'the FRR speaker rejects the configuration and no session comes up: use one myASN',
      ),
    );
  }
  for (const sel of m.reachable_from) {
    const clients = selectNodes(lab, sel);
    if (!clients.length)
      out.push(
        issue(
          'unknown-reference',
          [...path, 'reachable_from'],
          `no node named '${sel}'`,
          'list client nodes defined under nodes:',
        ),
      );
    for (const client of clients) {
      for (const pool of m.pools) {
        for (const a of pool.addresses) {
          const routed =
            client.routes.some((r) => r.to === 'default' || safeContains(r.to, a)) ||
            client.interfaces.some((i) =>
              safeContains(lab.networks.find((n) => n.name === i.network)?.prefix ?? '', a),
            );
          if (!routed) {
            out.push(
              issue(
                'pool-not-routed',
                [...path, 'pools'],
                `client ${client.name} has no route to the MetalLB pool ${a}`,
                `curl from ${client.name} times out although BGP is up: add a route to ${a} via the router (client routes:)`,
              ),
            );
          }
        }
      }
    }
  }
  return out;
}

function tfIssues(lab: Lab, c: Cluster): Issue[] {
  const tf = c.addons.tungsten_fabric;
  if (!tf) return [];
  const out: Issue[] = [];
  const path = [...c.path, 'addons', 'tungsten_fabric'];
  const members = lab.nodes.filter((n) => c.members.includes(n.name));
  const underlays = new Set(members.flatMap((n) => n.interfaces.map((i) => i.network)));
  const gateways = lab.networks.filter((n) => underlays.has(n.name)).map((n) => n.gateway);
  if (!gateways.includes(tf.vrouter_gateway)) {
    const isNode = members.find((n) => n.interfaces.some((i) => i.address === tf.vrouter_gateway));
    const onNet = lab.networks.some(
      (n) => underlays.has(n.name) && containsAddress(parsePrefix(n.prefix), parseIPv4(tf.vrouter_gateway)),
    );
    const what = isNode
      ? `the address of ${isNode.name}`
      : onNet
        ? 'not the gateway of the underlay'
        : "not on the nodes' underlay network";
    out.push(
      issue(
        'vrouter-gateway',
        [...path, 'vrouter_gateway'],
        `VROUTER_GATEWAY ${tf.vrouter_gateway} is ${what} (gateway: ${gateways.filter(Boolean).join(', ') || 'none set'})`,
        'the host loses all connectivity, SSH included, as soon as the vRouter comes up: set it to the underlay network gateway',
      ),
    );
  }
  const pairs: [keyof typeof tf, string | undefined, string][] = [
    ['pod_subnets', c.podSubnet, 'pod_subnet'],
    ['service_subnets', c.serviceSubnet, 'service_subnet'],
    ['fabric_subnets', c.fabricSubnet, 'fabric_subnet'],
  ];
  for (const [key, kubeadm, field] of pairs) {
    const value = tf[key] as string | undefined;
    if (value && kubeadm && value !== kubeadm) {
      out.push(
        issue(
          'tf-cidr-mismatch',
          [...path, key],
          `TF ${key.toUpperCase()} ${value} differs from the cluster's ${field} ${kubeadm} (kubeadm)`,
          'pods get addresses Kubernetes does not know and services are unreachable: set both to the same prefix',
        ),
      );
    }
  }
  return out;
}

const CILIUM_NAME = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/;

function ciliumIssues(lab: Lab): Issue[] {
  const out: Issue[] = [];
  const ports = new Map<number, string>();
  for (const c of lab.clusters) {
    const ci = c.addons.cilium;
    if (!ci) continue;
    const path = [...c.path, 'addons', 'cilium'];
    const name = ci.cluster_name ?? c.name;
    if (name.length > 32 || !CILIUM_NAME.test(name)) {
      out.push(
        issue(
          'cilium-cluster-name',
          [...path, 'cluster_name'],
          `Cilium cluster name '${name}' must be at most 32 lowercase letters, digits and dashes`,
          'the Cilium agent refuses to start and the mesh never connects: shorten or lowercase it',
        ),
      );
    }
    if (c.id === undefined || c.id < 1 || c.id > ci.max_connected_clusters) {
      out.push(
        issue(
          'cilium-cluster-id',
          [...c.path, 'id'],
          `Cilium cluster id ${c.id ?? '(none)'} of ${c.name} is outside 1-${ci.max_connected_clusters}`,
          'the agent fails to start (or the cluster cannot join the mesh): give each cluster a unique id from 1 to 255',
        ),
      );
    }
    const port = ports.get(ci.clustermesh_node_port);
    if (port)
      out.push(
        issue(
          'cilium-node-port',
          [...path, 'clustermesh_node_port'],
          `node port ${ci.clustermesh_node_port} is used by both ${port} and ${c.name}`,
          'the clustermesh API servers collide on one port: use one per cluster',
          'warning',
        ),
      );
    ports.set(ci.clustermesh_node_port, c.name);
  }
  return out;
}

function clusterAsIssues(lab: Lab): Issue[] {
  const tf = lab.clusters.filter((c) => c.addons.tungsten_fabric);
  const out: Issue[] = [];
  const seen = new Map<number, string>();
  for (const c of tf) {
    const as = c.as ?? 64512;
    if (seen.has(as)) {
      out.push(
        issue(
          'as-must-differ',
          [...c.path, 'as'],
          `clusters ${seen.get(as)} and ${c.name} both use AS ${as}`,
          "the control nodes peer over eBGP: with one AS they drop each other's routes (AS loop) and pods cannot reach across; give each cluster its own AS",
        ),
      );
    } else seen.set(as, c.name);
  }
  return out;
}

/** Cluster ids are unique across the lab (Cilium's mesh keys identities on them). */
function clusterIdIssues(lab: Lab): Issue[] {
  const out: Issue[] = [];
  const ids = new Map<number, string>();
  for (const c of lab.clusters) {
    if (c.id === undefined) continue;
    const other = ids.get(c.id);
    if (other) {
      const symptom = c.addons.cilium
        ? 'identities collide across the mesh and policies match the wrong pods'
        : 'the clusters cannot be told apart';
      out.push(
        issue(
          'cluster-id-duplicate',
          [...c.path, 'id'],
          `cluster id ${c.id} is used by both ${other} and ${c.name}`,
          `${symptom}: give each cluster its own id`,
        ),
      );
    } else ids.set(c.id, c.name);
  }
  return out;
}

export const addonRules: Rule = (lab) => [
  ...lab.clusters.flatMap((c) => [...metallbIssues(lab, c), ...tfIssues(lab, c)]),
  ...ciliumIssues(lab),
  ...clusterAsIssues(lab),
  ...clusterIdIssues(lab),
];

function safeContains(outer: string, inner: string): boolean {
  try {
    return containsCidr(outer, inner);
  } catch {
    return false;
  }
}
