// A role: what a node is for. It renders its files and says how the emulated node starts it.
import type { Lab, Node } from '../model/lab.js';

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
}

export function header(lab: Lab): { lab: { name: string } } {
  return { lab: { name: lab.name } };
}
