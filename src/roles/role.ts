// A role: what a node is for. It renders its files and says how the emulated node starts it.
import type { Lab, Node } from '../core/lab.js';
import type { DaemonName } from '../daemons/index.js';

export { header } from '../core/templates.js';

export interface RenderedFile {
  node: string;
  /** Absolute path on the node, e.g. /etc/bird/bird.conf. */
  path: string;
  content: string;
  mode?: number;
  /** The daemon tool that can check this file without running it. */
  validator?: 'bird' | 'gobgpd' | 'netplan' | 'frr' | 'nginx';
  /** The file is a Kubernetes manifest checked against upstream CRD schemas in tests. */
  manifest?: 'metallb' | 'calico' | 'cilium-values' | 'metallb-values' | 'tf' | 'kubeadm';
}

/** One command of the emulated realization, run on the node in order. */
export interface StartCommand {
  name: string;
  run: string;
  /** The command starts a daemon that writes this pid file (on the node). */
  pidfile?: string;
}

export interface Role {
  name: string;
  description: string;
  render?(lab: Lab, node: Node): RenderedFile[];
  /** Emulated (netns) realization; roles of the full realization only have none. */
  start?(lab: Lab, node: Node): StartCommand[];
  /** False for a role the emulated lab needs but that has no emulated realization yet. */
  emulated?: false;
  /** The node's `vars:` this role reads; lint reports vars no role of the node reads. */
  vars?: string[];
  /** What is wrong with the value of one of its vars (lint: var-invalid), or undefined when fine. */
  checkVar?(name: string, value: unknown): string | undefined;
  /** What the node needs on the host to run this role emulated: preflight installs exactly these. */
  needs?(lab: Lab, node: Node): Needs;
  /**
   * The lab file's routing fields this role renders: `bgp.<key>`, `bgp.neighbors.<option>`, `ospf`.
   * Lint refuses a field that none of a node's roles honours (it would be silently ignored).
   */
  honours?: readonly string[];
}

/** A program a role or a check runs, and the Debian package that provides it. */
export interface Tool {
  command: string;
  package: string;
}

export interface Needs {
  daemons?: DaemonName[];
  tools?: Tool[];
}

/** What the BIRD and FRR routers render of the lab file: every routing field but dynamic neighbors. */
export const ROUTER_FIELDS = [
  'bgp.as',
  'bgp.router_id',
  'bgp.neighbors',
  'bgp.neighbor_range',
  'bgp.import',
  'bgp.export',
  'bgp.ecmp',
  'bgp.route_reflector',
  'bgp.originate',
  'bgp.advertise_loopback',
  'bgp.next_hop_self',
  'bgp.password',
  'bgp.bfd',
  'bgp.neighbors.peer',
  'bgp.neighbors.session',
  'bgp.neighbors.transport',
  'bgp.neighbors.next_hop_self',
  'bgp.neighbors.rr_client',
  'bgp.neighbors.rs_client',
  'bgp.neighbors.password',
  'bgp.neighbors.bfd',
  'bgp.neighbors.import',
  'bgp.neighbors.export',
  'bgp.neighbors.local_pref',
  'bgp.neighbors.med',
  'bgp.neighbors.prepend',
  'bgp.neighbors.timers',
  'bgp.neighbors.passive',
  'bgp.neighbors.ttl_security',
  'bgp.neighbors.allowas_in',
  'bgp.neighbors.default_originate',
  'bgp.neighbors.remove_private_as',
  'ospf',
] as const;

/** FRR's routers render a few more: weight and as-override (BIRD has neither). */
export const FRR_ROUTER_FIELDS = [
  ...ROUTER_FIELDS,
  'bgp.neighbors.weight',
  'bgp.neighbors.as_override',
] as const;
