// Tungsten Fabric, derived from the lab: each cluster's control node and vRouters, the pods TF's IPAM
// hands out (from the top of KUBERNETES_POD_SUBNETS down, as kube-manager does) and the demo service,
// whose ClusterIP is a floating IP held by every backend pod.

import type { Path, PushIssue } from '../../core/issue.js';
import type { Cluster, Lab, Node } from '../../core/lab.js';
import { broadcast, formatIPv4, hostAt, isPrefix, parsePrefix, size } from '../../net/ipv4.js';
import type { TungstenFabricConfig } from './schema.js';

export type TfAddon = TungstenFabricConfig;

/** TF's own default AS (BGP_ASN) when the cluster names none. */
export const TF_DEFAULT_AS = 64512;

export interface TfCluster {
  cluster: Cluster;
  tf: TfAddon;
  as: number;
  controlNode?: Node;
  vrouters: Node[];
  /** What the rendered kube-manager-config says (TF's subnets, else kubeadm's). */
  podSubnets?: string;
  serviceSubnets?: string;
  fabricSubnets?: string;
}

export function tfClusters(lab: Lab): TfCluster[] {
  return lab.clusters.flatMap((cluster) => {
    const tf = cluster.addons.tungsten_fabric;
    if (!tf) return [];
    const members = lab.nodes.filter((n) => cluster.members.includes(n.name));
    return [
      {
        cluster,
        tf,
        as: cluster.as ?? TF_DEFAULT_AS,
        controlNode: members.find(
          (n) => n.name === cluster.controlPlane && n.roles.includes('tf-controller'),
        ),
        vrouters: members.filter((n) => n.roles.includes('tf-vrouter')),
        podSubnets: tf.pod_subnets ?? cluster.podSubnet,
        serviceSubnets: tf.service_subnets ?? cluster.serviceSubnet,
        fabricSubnets: tf.fabric_subnets ?? cluster.fabricSubnet,
      },
    ];
  });
}

export function tfClusterOf(lab: Lab, node: Node): TfCluster | undefined {
  return tfClusters(lab).find((c) => c.cluster.name === node.cluster);
}

/** The n-th pod address (n from 1): TF keeps the subnet's last two for its gateway and DNS, then goes down. */
export function podAddress(podSubnets: string, n: number): string {
  return formatIPv4(broadcast(parsePrefix(podSubnets)) - 2 - n);
}

/** What each vRouter node starts: its pods in order, with their IPAM index and the service they back. */
export interface TfPod {
  name: string;
  node: string;
  index: number;
  address: string;
  serve?: string;
  /** The service index (into KUBERNETES_SERVICE_SUBNETS) whose floating IP this pod holds. */
  serviceIndex?: number;
}

export function tfPodsOf(lab: Lab, node: Node): TfPod[] {
  return (podsByNode.get(lab)?.get(node.name) ?? []).slice();
}

const podsByNode = new WeakMap<Lab, Map<string, TfPod[]>>();

/** Pods (into lab.workloads) and services (into lab.services) of every TF cluster. */
export function deriveTungstenFabric(lab: Lab, push: PushIssue): void {
  const byNode = new Map<string, TfPod[]>();
  podsByNode.set(lab, byNode);
  const taken = new Set(lab.workloads.map((w) => w.name));
  for (const c of tfClusters(lab)) {
    const path: Path = [...c.cluster.path, 'addons', 'tungsten_fabric'];
    if (!c.podSubnets || !c.serviceSubnets || !isPrefix(c.podSubnets) || !isPrefix(c.serviceSubnets)) {
      push({
        code: 'tf-cidr-missing',
        path: c.cluster.path,
        message: `cluster ${c.cluster.name} has Tungsten Fabric but no pod or service subnet`,
        hint: 'TF falls back to its defaults (10.32.0.0/12, 10.96.0.0/12) whatever kubeadm says: set pod_subnet and service_subnet on the cluster',
      });
      continue;
    }
    if (!c.vrouters.length && c.tf.service) {
      push({
        code: 'tf-no-vrouter',
        severity: 'warning',
        path: [...path, 'service'],
        message: `cluster ${c.cluster.name} has a Tungsten Fabric service but no member with the tf-vrouter role`,
        hint: 'the service has no backend and no node forwards pod traffic: add the role to the workers',
      });
    }
    const pods: (TfPod & { path: Path; labels: Record<string, string> })[] = [];
    const add = (
      name: string,
      node: Node,
      p: Path,
      labels: Record<string, string>,
      serve?: string,
      serviceIndex?: number,
    ) => {
      if (taken.has(name)) {
        push({
          code: 'name-duplicate',
          path: p,
          message: `a pod or container named ${name} exists already`,
          hint: 'checks name pods by name: give each its own',
        });
        return;
      }
      taken.add(name);
      const index = pods.length + 1;
      pods.push({ name, node: node.name, index, address: '', serve, serviceIndex, path: p, labels });
    };
    const service = c.tf.service;
    if (service) {
      const index = service.index as number;
      const room = size(parsePrefix(c.serviceSubnets)) - 2;
      if (index < 1 || index > room) {
        push({
          code: 'tf-service-index',
          path: [...path, 'service', 'index'],
          message: `service index ${index} is outside ${c.serviceSubnets} (1 to ${room})`,
          hint: 'the ClusterIP would fall outside KUBERNETES_SERVICE_SUBNETS and no vRouter would route it: pick an index inside',
        });
      } else {
        for (const node of c.vrouters)
          add(
            `${service.name}-${node.name}`,
            node,
            [...path, 'service'],
            { app: service.name },
            `cluster ${c.cluster.name} pod ${service.name}-${node.name}`,
            index,
          );
      }
    }
    lab.raw.workloads.forEach((w, i) => {
      const node = c.vrouters.find((n) => n.name === w.node);
      if (node) add(w.name, node, ['workloads', i], w.labels ?? {}, w.serve);
    });
    const room = size(parsePrefix(c.podSubnets)) - 4;
    if (pods.length > room) {
      push({
        code: 'tf-pods-exhausted',
        path: c.cluster.path,
        message: `${pods.length} pods do not fit in ${c.podSubnets} (${room} addresses)`,
        hint: 'pods past the last address would get none: widen the pod subnet',
      });
      continue;
    }
    for (const p of pods) {
      p.address = podAddress(c.podSubnets, p.index);
      lab.workloads.push({
        name: p.name,
        node: p.node,
        address: p.address,
        block: `${p.address}/32`,
        serve: p.serve,
        labels: p.labels,
        path: p.path,
      });
      const { path: _, labels: __, ...pod } = p;
      byNode.set(p.node, [...(byNode.get(p.node) ?? []), pod]);
    }
    if (service && pods.some((p) => p.serviceIndex !== undefined)) {
      lab.services.push({
        name: service.name,
        cluster: c.cluster.name,
        address: formatIPv4(hostAt(parsePrefix(c.serviceSubnets), service.index as number)),
        backends: pods.filter((p) => p.serviceIndex !== undefined).map((p) => p.name),
        path: [...path, 'service'],
      });
    }
  }
  // a vRouter outside every TF cluster has no control node and no IPAM: its workloads would vanish
  const inTf = new Set(tfClusters(lab).flatMap((c) => c.vrouters.map((n) => n.name)));
  lab.raw.workloads.forEach((w, i) => {
    const node = lab.nodes.find((n) => n.name === w.node);
    if (node?.roles.includes('tf-vrouter') && !inTf.has(node.name))
      push({
        code: 'unknown-reference',
        path: ['workloads', i, 'node'],
        message: `workload ${w.name}: ${node.name} is a tf-vrouter outside every cluster with Tungsten Fabric`,
        hint: 'make the node a member of a cluster whose addons name tungsten_fabric',
      });
  });
}
