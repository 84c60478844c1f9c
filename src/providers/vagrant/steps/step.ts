// A provisioning step: one bash script run as root on one VM over SSH, in a phase. Steps of one phase
// run on their nodes in parallel; phases run in order. The scripts are plain files in the rendered
// project (steps/NN-phase/NODE.sh): a reader can run them by hand with `sudo bash`.
import { shellComment, shellQuote } from '../../../shell-quote.js';

/** Phases in the order they run; a step names its phase. */
export const PHASES = [
  'base', // packages, forwarding, the lab's routes
  'daemons', // routers and reflectors outside Kubernetes (BIRD, GoBGP), Docker hosts
  'kubernetes-packages', // containerd, kubelet, kubeadm, kubectl
  'kubeadm-init', // control planes
  'kubeadm-join', // workers
  'network', // the CNI and its resources (Calico, Cilium, Tungsten Fabric)
  'addons', // MetalLB
  'mesh', // Cilium Cluster Mesh, once every cluster runs Cilium
  'workloads', // the demo's pods, services and containers
  'attach', // each pod's network namespace named on its node, as the checks address it
] as const;
export type Phase = (typeof PHASES)[number];

export interface Step {
  phase: Phase;
  node: string;
  /** What it does, for the plan and for errors. */
  title: string;
  script: string;
  /** Files fetched from another node before the script runs (a join command, a kubeconfig). */
  inputs?: { path: string; from: { node: string; path: string } }[];
  timeoutS: number;
}

/** The script preamble: stop at the first error, no prompts. */
export function script(title: string, lines: string[]): string {
  return [
    '#!/usr/bin/env bash',
    shellComment(title),
    'set -euo pipefail',
    'export DEBIAN_FRONTEND=noninteractive',
    ...lines,
    '',
  ].join('\n');
}

/** Writes a file on the node from a quoted here-document, whose end marker no line of the content is. */
export function writeFile(path: string, content: string, mode = 0o644): string[] {
  const lines = new Set(content.split('\n'));
  let marker = 'LAB_FILE_END';
  for (let n = 1; lines.has(marker); n++) marker = `LAB_FILE_END_${n}`;
  const body = content.endsWith('\n') ? content.slice(0, -1) : content;
  return [
    `install -D -m ${mode.toString(8).padStart(4, '0')} /dev/stdin ${shellQuote(path)} <<'${marker}'`,
    body,
    marker,
  ];
}

export const q = shellQuote;
