// The agent's configuration on a node: rendered by lab (render.ts), read by the program on the node.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export const AGENT_CONFIG = '/etc/cilium/agent.json';
/** One file per remote cluster, named after it, as the Helm chart mounts the cilium-clustermesh secret. */
export const CLUSTERMESH_DIR = '/etc/cilium/clustermesh';
/** cilium-health's port: the agent answers /hello there, and /nodes and /services for cilium-dbg. */
export const HEALTH_PORT = 4240;

export interface AgentConfig {
  cluster: string;
  clusterId: number;
  node: string;
  nodeIP: string;
  /** The underlay device the tunnel rides on. */
  device: string;
  underlayMtu: number;
  /** Pod and tunnel MTU: the underlay's minus the 50 bytes of VXLAN. */
  mtu: number;
  /** This node's share of the cluster pool (cluster-pool IPAM gives each node a /24). */
  podCIDR: string;
  /** cilium_host's address: the pods' gateway, and this node's tunnel endpoint address. */
  routerIP: string;
  tunnel: { protocol: 'vxlan'; port: number; vni: number };
  /** The local cluster's kvstore (its clustermesh-apiserver's etcd). */
  kvstore: string;
  clustermeshDir: string;
  /** This node also plays the clustermesh-apiserver: it exports the cluster's global services. */
  exportServices: boolean;
  leaseTTL: number;
  healthPort: number;
}

export function readConfig(file: string): AgentConfig {
  return JSON.parse(readFileSync(file, 'utf8')) as AgentConfig;
}

/** The remote clusters' kvstore endpoints: `endpoints:` list of each file (etcd client config format). */
export function readClustermesh(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  let names: string[] = [];
  try {
    names = readdirSync(dir).filter((n) => !n.startsWith('.'));
  } catch {
    return out;
  }
  for (const name of names) {
    const text = readFileSync(join(dir, name), 'utf8');
    const m = /^\s*-\s*(https?:\/\/\S+)/m.exec(text);
    if (m) out.set(name, m[1]);
  }
  return out;
}
