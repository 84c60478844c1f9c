// The lab's own health, read from the host rather than trusted from the journal: every node's
// machine (namespace) present, every process the journal recorded (holder, sshd, role daemons)
// alive, and what runs under the instance's names. lab check starts with it; lab status shows it.
import { readFileSync, readlinkSync } from 'node:fs';
import type { Resource } from '../contracts/provider.js';
import { hostPidsOf, isAlive, isStopped } from '../host/processes.js';
import { providerOf } from '../providers/index.js';
import type { InstanceRecord } from './instances.js';
import { journalOf } from './state.js';

export interface NodeProblem {
  node: string;
  problem: string;
}

export interface Health {
  problems: NodeProblem[];
  /** Processes found running under the instance's names on the host (undefined: the provider cannot say). */
  hostProcesses?: number;
  /** Machines (namespaces) found on the host under the instance's names. */
  hostNamespaces?: number;
}

/** `nodes`: names, or names with their interfaces (then each interface is looked at too: present, up,
 * with a carrier). */
export async function healthOf(
  record: InstanceRecord,
  nodes: string[] | { name: string; interfaces: string[] }[],
): Promise<Health> {
  const problems: NodeProblem[] = [];
  const provider = await providerOf(record.provider);
  const names = nodes.map((n) => (typeof n === 'string' ? n : n.name));
  for (const node of provider.absentNodes?.(record.lab, record.instance, names) ?? [])
    problems.push({ node, problem: 'its machine is gone (no network namespace)' });
  const gone = new Set(problems.map((p) => p.node));
  const withLinks = nodes.filter((n) => typeof n !== 'string');
  if (withLinks.length && provider.linkProblems)
    problems.push(...(await provider.linkProblems(record.lab, record.instance, withLinks)));
  const resources = journalOf(record.dir).resources();
  for (const r of resources) {
    if (r.kind !== 'process' || !r.pid || !r.node || gone.has(r.node)) continue;
    if (!runs(r, resources))
      problems.push({ node: r.node, problem: `${r.name} (pid ${r.pid}) is not running` });
    else if (isAlive(r.pid, r.starttime) && isStopped(r.pid))
      problems.push({
        node: r.node,
        problem: `${r.name} (pid ${r.pid}) is stopped (SIGSTOP): it answers nothing until SIGCONT`,
      });
  }
  const found = provider.findInstance ? await provider.findInstance(record.lab, record.instance) : undefined;
  return {
    problems,
    hostProcesses: found?.filter((f) => f.kind === 'process').length,
    hostNamespaces: found?.filter((f) => f.kind === 'namespace').length,
  };
}

/** A process the journal recorded still runs: its pid, or a restart on its node (below). */
export function runs(r: Extract<Resource, { kind: 'process' }>, resources: Resource[]): boolean {
  return !!r.pid && (isAlive(r.pid, r.starttime) || restartedOnNode(r, resources));
}

/** A daemon stopped and started again on its node by the node's own tool (`cilium-agent stop`, then
 * `start`, as the Cilium README walks through) runs under a new pid, which its pid file on the node
 * holds: read through the node's holder, and alive in the node's network namespace, it is running. */
function restartedOnNode(r: Extract<Resource, { kind: 'process' }>, resources: Resource[]): boolean {
  if (!r.pidfile) return false;
  const holder = resources.find((h) => h.kind === 'process' && h.node === r.node && h.name === 'holder');
  if (holder?.kind !== 'process' || !holder.pid || !isAlive(holder.pid, holder.starttime)) return false;
  try {
    // the file holds a pid of the node's own PID namespace: found on the host under the holder
    const local = Number(readFileSync(`/proc/${holder.pid}/root${r.pidfile}`, 'utf8').trim());
    const pid = Number.isInteger(local) && local > 0 ? hostPidsOf(holder.pid, [local]).get(local) : undefined;
    return (
      pid !== undefined &&
      isAlive(pid) &&
      readlinkSync(`/proc/${pid}/ns/net`) === readlinkSync(`/proc/${holder.pid}/ns/net`)
    );
  } catch {
    return false;
  }
}
