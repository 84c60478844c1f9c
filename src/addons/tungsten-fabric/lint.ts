// Tungsten Fabric's traps: a VROUTER_GATEWAY that is not the underlay gateway, TF subnets that differ
// from kubeadm's, two clusters in one AS.

import type { Rule } from '../../contracts/lint.js';
import { type Issue, issue } from '../../core/issue.js';
import type { Cluster, Lab } from '../../core/lab.js';
import { containsAddress, parseIPv4, parsePrefix } from '../../net/ipv4.js';

function clusterIssues(lab: Lab, c: Cluster): Issue[] {
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
      (n) =>
        underlays.has(n.name) &&
        !!n.prefix &&
        containsAddress(parsePrefix(n.prefix), parseIPv4(tf.vrouter_gateway)),
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

/** The clusters' control nodes peer over eBGP: each cluster needs its own AS. */
function asIssues(lab: Lab): Issue[] {
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

export const tungstenFabricRules: Rule = (lab) => [
  ...lab.clusters.flatMap((c) => clusterIssues(lab, c)),
  ...asIssues(lab),
];
