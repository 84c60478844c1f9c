// Where things live in the kvstore, and in which shape: Cilium's documented layout and JSON encodings
// (what a real clustermesh-apiserver holds), plus the cluster's own objects under /registry/ as the
// Kubernetes API server keeps them (JSON here, protobuf in a real cluster).

export const NODES = 'cilium/state/nodes/v1/';
export const SERVICES = 'cilium/state/services/v1/';
export const IPCACHE = 'cilium/state/ip/v1/default/';
export const K8S_SERVICES = '/registry/services/specs/';
export const K8S_PODS = '/registry/pods/';

export const nodeKey = (cluster: string, node: string) => `${NODES}${cluster}/${node}`;
export const serviceKey = (cluster: string, ns: string, name: string) =>
  `${SERVICES}${cluster}/${ns}/${name}`;
export const ipKey = (ip: string) => `${IPCACHE}${ip}`;
export const k8sServiceKey = (ns: string, name: string) => `${K8S_SERVICES}${ns}/${name}`;
export const k8sPodKey = (ns: string, name: string) => `${K8S_PODS}${ns}/${name}`;

/** A node as the agent sees it (decoded from Cilium's nodeTypes.Node). */
export interface MeshNode {
  name: string;
  cluster: string;
  clusterId: number;
  nodeIP: string;
  routerIP: string;
  podCIDR: string;
}

/** Go's net.IPMask marshals as base64 of its bytes: /24 is "////AA==". */
export function maskOf(length: number): string {
  const bytes = [0, 1, 2, 3].map((i) => {
    const bits = Math.max(0, Math.min(8, length - i * 8));
    return (0xff << (8 - bits)) & 0xff;
  });
  return Buffer.from(bytes).toString('base64');
}

function lengthOf(mask: string): number {
  return [...Buffer.from(mask, 'base64')].reduce((n, b) => n + b.toString(2).replace(/0/g, '').length, 0);
}

export function encodeNode(n: MeshNode): string {
  const [ip, len] = n.podCIDR.split('/');
  return JSON.stringify({
    Name: n.name,
    Cluster: n.cluster,
    IPAddresses: [
      { Type: 'InternalIP', IP: n.nodeIP },
      { Type: 'CiliumInternalIP', IP: n.routerIP },
    ],
    IPv4AllocCIDR: { IP: ip, Mask: maskOf(Number(len)) },
    IPv6AllocCIDR: null,
    IPv4HealthIP: '',
    IPv6HealthIP: '',
    ClusterID: n.clusterId,
    Source: 'kvstore',
    EncryptionKey: 0,
    Labels: {},
    NodeIdentity: 0,
    WireguardPubKey: '',
  });
}

export function decodeNode(value: string): MeshNode | undefined {
  try {
    const v = JSON.parse(value);
    const addr = (t: string) =>
      (v.IPAddresses as { Type: string; IP: string }[]).find((a) => a.Type === t)?.IP;
    const nodeIP = addr('InternalIP');
    const routerIP = addr('CiliumInternalIP');
    if (!v.Name || !nodeIP || !routerIP || !v.IPv4AllocCIDR) return undefined;
    return {
      name: v.Name,
      cluster: v.Cluster,
      clusterId: v.ClusterID,
      nodeIP,
      routerIP,
      podCIDR: `${v.IPv4AllocCIDR.IP}/${lengthOf(v.IPv4AllocCIDR.Mask)}`,
    };
  } catch {
    return undefined;
  }
}

/** A Kubernetes Service, the fields this emulation reads. */
export interface K8sService {
  metadata: { name: string; namespace: string; annotations?: Record<string, string> };
  spec: {
    clusterIP: string;
    selector: Record<string, string>;
    ports: { port: number; targetPort?: number; protocol?: string }[];
  };
}

/** A Kubernetes Pod, the fields this emulation reads and writes. */
export interface K8sPod {
  metadata: { name: string; namespace: string; labels: Record<string, string> };
  spec: { nodeName: string };
  status: { podIP: string; hostIP: string; phase: 'Running' };
}

/** Cilium's ClusterService (pkg/clustermesh/store): what one cluster offers the others. */
export interface ClusterService {
  cluster: string;
  namespace: string;
  name: string;
  frontends: Record<string, Record<string, { Protocol: string; Port: number }>>;
  backends: Record<string, Record<string, { Protocol: string; Port: number }>>;
  labels: Record<string, string>;
  selector: Record<string, string>;
  includeExternal: boolean;
  shared: boolean;
  clusterID: number;
}

/** The ipcache entry of an endpoint (pkg/identity/cache Identity pair), as agents publish it. */
export function encodeIpcache(pod: K8sPod, clusterId: number): string {
  return JSON.stringify({
    IP: pod.status.podIP,
    Mask: null,
    HostIP: pod.status.hostIP,
    ID: identityOf(pod.metadata.labels, clusterId),
    Key: 0,
    Metadata: `cilium-global:${pod.metadata.namespace}:${pod.spec.nodeName}:${pod.metadata.name}`,
    K8sNamespace: pod.metadata.namespace,
    K8sPodName: pod.metadata.name,
  });
}

/** A cluster-scoped security identity: the cluster id in bits 16-23, as Cilium allocates them in a mesh. */
export function identityOf(labels: Record<string, string>, clusterId: number): number {
  const text = Object.entries(labels)
    .sort()
    .map(([k, v]) => `${k}=${v}`)
    .join(';');
  let h = 0;
  for (const c of text) h = (h * 31 + c.charCodeAt(0)) & 0xffff;
  return (clusterId << 16) | Math.max(256, h);
}

/** Every label of the selector is on the pod (an empty selector selects nothing, as in Kubernetes). */
export function selects(selector: Record<string, string>, labels: Record<string, string>): boolean {
  const entries = Object.entries(selector);
  return entries.length > 0 && entries.every(([k, v]) => labels[k] === v);
}
