// The role contract: what a node is for. Roles (roles/, an add-on's folder) implement it; render, the
// engine, lint, preflight and the providers consume it.
import type { Lab, Node } from '../core/lab.js';
import type { StartCommand } from '../daemons/daemon.js';
import type { DaemonName, ValidatorName } from '../daemons/index.js';
import type { VmStep } from './vm.js';

export interface RenderedFile {
  node: string;
  /** Absolute path on the node, e.g. /etc/bird/bird.conf. */
  path: string;
  content: string;
  mode?: number;
  /** What checks this file without running it: a daemon (its own validator) or a tool of FILE_VALIDATORS. */
  validator?: ValidatorName;
  /** The file is a Kubernetes manifest of this kind (its add-on names it; kubeadm): tests check it against
   * upstream CRD schemas, and the VM steps find their own by it. */
  manifest?: string;
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
  /** Capabilities as data, for lint: it runs a BGP daemon of its own (binding port 179: two such
   * roles on one node conflict), and it reads the node's IPv4 address (a node IP, an underlay, a
   * router id), so that IPv6-only networks cannot carry it. */
  speaksBgp?: true;
  needsIpv4?: true;
  /** Its realization on VMs (full realization); a role without one is refused on VMs. */
  vm?: RoleVm;
}

/** What a role does on its node's VM. The base step (every VM) takes its packages and forwarding, the
 * daemons step (one per VM) its daemon; its own steps come in their phases. */
export interface RoleVm {
  /** CPUs and memory its VM needs at least; the node takes its heaviest role's (else 1 CPU, 512 MB). */
  size?: { cpus: number; memoryMb: number };
  /** Debian packages the base step installs for it. */
  packages?(lab: Lab, node: Node): string[];
  /** The VM forwards packets (IPv4 and IPv6), as the role does on netns. */
  forwards?: true;
  /** The daemon it runs under systemd from its rendered files (the daemons step), named for the plan. */
  daemon?(node: Node, files: RenderedFile[]): { name: string; lines: string[] } | undefined;
  /** Its lines of the node's workloads step outside Kubernetes (a backend serving its rendered config). */
  workloads?(lab: Lab, node: Node, files: RenderedFile[]): string[];
  /** Its own steps, in any phase and on any node (a control plane brings up its cluster). */
  steps?(lab: Lab, node: Node, files: RenderedFile[]): VmStep[];
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
