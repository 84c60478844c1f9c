// The Cluster Mesh's traps, each with the symptom a user would otherwise meet.

import type { Rule, RunsOn } from '../../contracts/lint.js';
import { type Issue, issue } from '../../core/issue.js';
import type { Lab } from '../../core/lab.js';
import { prefixesOverlap } from '../../net/ip.js';
import { ALLOWED_VALUES, ANNOTATIONS, LEGACY_ANNOTATIONS } from './agent/rules.js';
import {
  AGENT_ROLE,
  agentNodes,
  ciliumClusters,
  clusterNameOf,
  DEFAULT_POOL,
  podCidrOf,
  poolOf,
  serviceIpOf,
  TUNNEL_OVERHEAD,
  underlayMtuOf,
} from './derive.js';

const CILIUM_NAME = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/;

function overlaps(a: string, b: string): boolean {
  try {
    return prefixesOverlap(a, b);
  } catch {
    return false;
  }
}

function identityIssues(lab: Lab): Issue[] {
  const out: Issue[] = [];
  const ports = new Map<number, string>();
  const names = new Map<string, string>();
  const maxima = new Set(ciliumClusters(lab).map((c) => c.addons.cilium!.max_connected_clusters));
  for (const c of ciliumClusters(lab)) {
    const ci = c.addons.cilium!;
    const path = [...c.path, 'addons', 'cilium'];
    const name = clusterNameOf(c);
    if (name.length > 32 || !CILIUM_NAME.test(name))
      out.push(
        issue(
          'cilium-cluster-name',
          [...path, ...(ci.cluster_name ? ['cluster_name'] : [])],
          `Cilium cluster name '${name}' must be at most 32 lowercase letters, digits and dashes`,
          'the Cilium agent refuses to start and the mesh never connects: shorten or lowercase it',
        ),
      );
    const other = names.get(name);
    if (other)
      out.push(
        issue(
          'cilium-cluster-name-duplicate',
          [...path, ...(ci.cluster_name ? ['cluster_name'] : [])],
          `clusters ${other} and ${c.name} both call themselves '${name}' in the mesh`,
          "the agents read one cluster's nodes and services as the other's and the mesh flaps: give each its own cluster.name",
        ),
      );
    else names.set(name, c.name);
    if (c.id === undefined || c.id < 1 || c.id > ci.max_connected_clusters)
      out.push(
        issue(
          'cilium-cluster-id',
          [...c.path, 'id'],
          `Cilium cluster id ${c.id ?? '(none)'} of ${c.name} is outside 1-${ci.max_connected_clusters}`,
          'the agent fails to start (or the cluster cannot join the mesh): give each cluster a unique id from 1 to 255',
        ),
      );
    if (maxima.size > 1)
      out.push(
        issue(
          'cilium-max-clusters',
          [...path, 'max_connected_clusters'],
          `max_connected_clusters differs across the mesh (${[...maxima].join(' and ')})`,
          'identities are split differently on each side and policies match the wrong pods: set the same value on every cluster',
        ),
      );
    const port = ports.get(ci.clustermesh_node_port);
    if (port)
      out.push(
        issue(
          'cilium-node-port',
          [...path, 'clustermesh_node_port'],
          `clustermesh node port ${ci.clustermesh_node_port} is used by both ${port} and ${c.name}`,
          'the clustermesh API servers collide where their node ports meet (one NodePort per cluster): use one port per cluster',
          'warning',
        ),
      );
    ports.set(ci.clustermesh_node_port, c.name);
  }
  return out;
}

/** Pod pools must be disjoint; Cilium's default (10.0.0.0/8 when none is set) is the classic overlap. */
function poolIssues(lab: Lab): Issue[] {
  const out: Issue[] = [];
  const clusters = ciliumClusters(lab);
  clusters.forEach((c, i) => {
    for (const other of clusters.slice(0, i)) {
      // two explicit pod subnets that overlap are prefix-overlap's
      if (c.podSubnet && other.podSubnet) continue;
      if (!overlaps(poolOf(c), poolOf(other))) continue;
      const which = (x: typeof c) =>
        `${x.name} ${x.podSubnet ? poolOf(x) : `${DEFAULT_POOL} (Cilium's default)`}`;
      out.push(
        issue(
          'cilium-pod-cidr-overlap',
          [...c.path, ...(c.podSubnet ? ['pod_subnet'] : [])],
          `the pod pools of ${which(other)} and ${which(c)} overlap`,
          "pods of two clusters get the same addresses: cross-cluster traffic goes to the wrong pod or nowhere; set each cluster's pod_subnet (clusterPoolIPv4PodCIDRList) to its own prefix",
        ),
      );
    }
    const ci = c.addons.cilium!;
    const short = agentNodes(lab, c).filter((n) => !podCidrOf(lab, n));
    if (short.length)
      out.push(
        issue(
          'cilium-pool-too-small',
          [...c.path, ...(c.podSubnet ? ['pod_subnet'] : [])],
          `the pod pool ${poolOf(c)} of ${c.name} holds no /${ci.cluster_pool_mask_size} for ${short.map((n) => n.name).join(', ')}`,
          'the operator cannot give those nodes a pod CIDR and their agents never become ready: widen the pool or raise cluster_pool_mask_size',
        ),
      );
  });
  return out;
}

function datapathIssues(lab: Lab, runsOn: RunsOn): Issue[] {
  const out: Issue[] = [];
  for (const c of ciliumClusters(lab)) {
    const ci = c.addons.cilium!;
    const path = [...c.path, 'addons', 'cilium'];
    if (ci.tunnel_protocol === 'geneve' && runsOn.hostKernel)
      out.push(
        issue(
          'cilium-tunnel-unsupported',
          [...path, 'tunnel_protocol'],
          `${c.name} tunnels with Geneve, which this kernel lacks: the emulated lab only carries VXLAN`,
          'the tunnel device cannot be created and no pod reaches another node: use tunnel_protocol: vxlan on netns (Geneve works on the vagrant provider)',
        ),
      );
    if (ci.mtu > 0) {
      const worst = Math.min(...agentNodes(lab, c).map((n) => underlayMtuOf(lab, n)));
      if (Number.isFinite(worst) && ci.mtu > worst - TUNNEL_OVERHEAD)
        out.push(
          issue(
            'cilium-mtu',
            [...path, 'mtu'],
            `pod MTU ${ci.mtu} is not lowered for the tunnel: the underlay carries ${worst}, VXLAN takes ${TUNNEL_OVERHEAD}`,
            `small requests work but large transfers across nodes stall (packets too big for the tunnel are dropped): set mtu to ${worst - TUNNEL_OVERHEAD} or leave it 0 to detect it`,
          ),
        );
    }
    const cp = lab.nodes.find((n) => n.name === c.controlPlane);
    if (agentNodes(lab, c).length && !cp?.roles.includes(AGENT_ROLE))
      out.push(
        issue(
          'cilium-no-kvstore',
          [...c.path, ...(c.controlPlane ? ['control_plane'] : [])],
          c.controlPlane
            ? `${c.name}'s control plane ${c.controlPlane} has no cilium-agent role, so no clustermesh-apiserver runs`
            : `${c.name} names no control_plane to run its clustermesh-apiserver`,
          'the agents have no kvstore to publish to and no other cluster sees this one: set control_plane to a member with the cilium-agent role',
        ),
      );
  }
  for (const n of lab.nodes) {
    if (!n.roles.includes(AGENT_ROLE)) continue;
    const c = lab.clusters.find((cl) => cl.name === n.cluster);
    if (!c?.addons.cilium)
      out.push(
        issue(
          'cilium-agent-no-cluster',
          [...n.path, 'roles'],
          `${n.name} runs cilium-agent but belongs to no cluster with the cilium add-on`,
          'the agent has no cluster name, id, pool or kvstore and would not start: list the node in the members of a cluster with addons.cilium',
        ),
      );
  }
  return out;
}

/** Kubernetes annotations are strings, and Cilium ignores values it does not know. */
function serviceIssues(lab: Lab): Issue[] {
  const out: Issue[] = [];
  const allKeys = new Map<string, keyof typeof ANNOTATIONS>(
    (Object.keys(ANNOTATIONS) as (keyof typeof ANNOTATIONS)[]).flatMap((k) => [
      [ANNOTATIONS[k], k],
      [LEGACY_ANNOTATIONS[k], k],
    ]),
  );
  for (const c of ciliumClusters(lab)) {
    c.addons.cilium!.services.forEach((s, i) => {
      const path = [...c.path, 'addons', 'cilium', 'services', i];
      if (!serviceIpOf(c, s, i))
        out.push(
          issue(
            'cilium-service-ip',
            path,
            `service ${s.name} of ${c.name} has no cluster_ip and the cluster no service_subnet to take one from`,
            'the Service gets no address and clients have nothing to connect to: set cluster_ip, or service_subnet on the cluster',
          ),
        );
      for (const [key, value] of Object.entries(s.annotations)) {
        const apath = [...path, 'annotations', key];
        const known = allKeys.get(key);
        if (typeof value !== 'string') {
          out.push(
            issue(
              'cilium-annotation',
              apath,
              `annotation ${key} is ${typeof value} ${value}: Kubernetes annotations are strings`,
              `kubectl apply rejects the Service ("cannot unmarshal ${typeof value} into ... of type string"): quote it, "${value}"`,
            ),
          );
          continue;
        }
        if (known && !ALLOWED_VALUES[known].includes(value.toLowerCase()))
          out.push(
            issue(
              'cilium-annotation',
              apath,
              `annotation ${key}: "${value}" is not one of ${ALLOWED_VALUES[known].map((v) => `"${v}"`).join(', ')}`,
              `Cilium ignores the value silently and the service behaves as if it were not set: write one of ${ALLOWED_VALUES[known].join(', ')}`,
            ),
          );
        else if (
          !known &&
          key.startsWith('service.cilium.io/') &&
          /^service\.cilium\.io\/(glob|shar|affin)/.test(key)
        )
          out.push(
            issue(
              'cilium-annotation',
              apath,
              `annotation ${key} is not one Cilium reads (${Object.values(ANNOTATIONS).join(', ')})`,
              'a misspelt annotation is ignored and the service stays local or keeps its rules: fix the key',
              'warning',
            ),
          );
      }
    });
  }
  return out;
}

export const ciliumRules: Rule = (lab, _host, runsOn) => [
  ...identityIssues(lab),
  ...poolIssues(lab),
  ...datapathIssues(lab, runsOn),
  ...serviceIssues(lab),
];
