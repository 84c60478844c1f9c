// Memory, pids and CPU limits per node, as a container runtime sets them: each node a cgroup (under
// one per instance) with the lab's requirements.netns.memory_mb at most (no node needs more than its
// whole lab), its requirements.netns.cpus, and a pids limit (a fork bomb on a node stops there).
// cgroup v1's hierarchies where mounted (this host), else the unified v2 tree. Written by the booter's
// shell (mkdir and echo: no process per node), removed at teardown once the node's processes are gone.
import { existsSync, readdirSync, readFileSync, rmdirSync } from 'node:fs';
import { join } from 'node:path';
import { shellQuote } from '../../shell-quote.js';

const ROOT = process.env.LAB_CGROUP_ROOT ?? '/sys/fs/cgroup';
/** Processes (and threads) a node may have: sshd sessions, daemons' threads, a lab's pods. */
export const NODE_PIDS = 1024;
/** What a lab that states no requirements.netns gets per node, and room for its nodes' files. */
export const DEFAULT_MEMORY_MB = 512;
export const DEFAULT_CPUS = 1;
export const DEFAULT_DISK_MB = 64;
const PERIOD_US = 100_000;

type Layout =
  | { kind: 'v1'; trees: Record<'memory' | 'pids' | 'cpu', string> }
  | { kind: 'v2'; root: string }
  | { kind: 'none' };

let found: Layout | undefined;
function layout(): Layout {
  if (found) return found;
  const v1 = (c: string) => join(ROOT, c, 'lab');
  if (['memory', 'pids', 'cpu'].every((c) => existsSync(join(ROOT, c, 'tasks'))))
    found = { kind: 'v1', trees: { memory: v1('memory'), pids: v1('pids'), cpu: v1('cpu') } };
  else if (existsSync(join(ROOT, 'cgroup.controllers'))) found = { kind: 'v2', root: join(ROOT, 'lab') };
  else found = { kind: 'none' };
  return found;
}

export interface NodeCgroup {
  /** The instance's cgroup name (its switch namespace) and the node's (its namespace). */
  instance: string;
  node: string;
  memoryMb: number;
  cpus: number;
}

/** Shell lines that make the cgroups of these nodes and set their limits (idempotent). */
export function cgroupSetupScript(nodes: NodeCgroup[]): string[] {
  const l = layout();
  if (l.kind === 'none' || !nodes.length) return [];
  const q = shellQuote;
  const set = (file: string, value: string | number) => `echo ${value} > ${q(file)}`;
  if (l.kind === 'v1') {
    const { memory, pids, cpu } = l.trees;
    const at = (tree: string, n: NodeCgroup, file: string) => join(tree, n.instance, n.node, file);
    return [
      `mkdir -p ${nodes.flatMap((n) => [memory, pids, cpu].map((t) => q(join(t, n.instance, n.node)))).join(' ')}`,
      ...nodes.flatMap((n) => [
        set(at(memory, n, 'memory.limit_in_bytes'), n.memoryMb * 1024 * 1024),
        set(at(pids, n, 'pids.max'), NODE_PIDS),
        set(at(cpu, n, 'cpu.cfs_quota_us'), Math.round(n.cpus * PERIOD_US)),
      ]),
    ];
  }
  const enable = (dir: string) => set(join(dir, 'cgroup.subtree_control'), "'+memory +pids +cpu'");
  return [
    `mkdir -p ${nodes.map((n) => q(join(l.root, n.instance, n.node))).join(' ')}`,
    enable(ROOT),
    enable(l.root),
    ...nodes.flatMap((n) => {
      const at = (file: string) => join(l.root, n.instance, n.node, file);
      return [
        enable(join(l.root, n.instance)),
        set(at('memory.max'), n.memoryMb * 1024 * 1024),
        set(at('pids.max'), NODE_PIDS),
        set(at('cpu.max'), `'${Math.round(n.cpus * PERIOD_US)} ${PERIOD_US}'`),
      ];
    }),
  ];
}

/** The cgroup.procs files a node's first process writes itself into. */
export function cgroupProcsFiles(n: Pick<NodeCgroup, 'instance' | 'node'>): string[] {
  const l = layout();
  if (l.kind === 'v1') return Object.values(l.trees).map((c) => join(c, n.instance, n.node, 'cgroup.procs'));
  if (l.kind === 'v2') return [join(l.root, n.instance, n.node, 'cgroup.procs')];
  return [];
}

const trees = (): string[] => {
  const l = layout();
  return l.kind === 'v1' ? Object.values(l.trees) : l.kind === 'v2' ? [l.root] : [];
};
const subfolders = (dir: string) => {
  try {
    return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? [e.name] : []));
  } catch {
    return [];
  }
};

/** The instances that have cgroups (by their switch namespace's name), and each one's nodes. */
export function cgroupInstances(): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const tree of trees())
    for (const instance of subfolders(tree))
      out.set(instance, [...new Set([...(out.get(instance) ?? []), ...subfolders(join(tree, instance))])]);
  return out;
}

/** Processes still counted in an instance's node cgroups (a killed run's). */
export function cgroupPids(instance: string, nodes: string[]): number[] {
  const pids = new Set<number>();
  for (const tree of trees())
    for (const node of nodes) {
      try {
        for (const p of readFileSync(join(tree, instance, node, 'cgroup.procs'), 'utf8').split('\n'))
          if (p) pids.add(Number(p));
      } catch {
        // no such cgroup in this tree
      }
    }
  return [...pids];
}

/** Removes an instance's cgroups (its nodes' processes are gone by then). */
export function removeCgroups(instance: string, nodes: string[]): void {
  for (const tree of trees()) {
    for (const dir of [...nodes.map((n) => join(tree, instance, n)), join(tree, instance)]) {
      try {
        rmdirSync(dir);
      } catch {
        // gone already, or never made
      }
    }
  }
}
