// The lab's own health, read from the host rather than trusted from the journal: every node's
// machine (namespace) present, every process the journal recorded (holder, sshd, role daemons)
// alive, and what runs under the instance's names. lab check starts with it; lab status shows it.
import { isAlive } from '../host/processes.js';
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

export async function healthOf(record: InstanceRecord, nodes: string[]): Promise<Health> {
  const problems: NodeProblem[] = [];
  const provider = await providerOf(record.provider);
  for (const node of provider.absentNodes?.(record.lab, record.instance, nodes) ?? [])
    problems.push({ node, problem: 'its machine is gone (no network namespace)' });
  const gone = new Set(problems.map((p) => p.node));
  for (const r of journalOf(record.dir).resources()) {
    if (r.kind !== 'process' || !r.pid || !r.node || gone.has(r.node)) continue;
    if (!isAlive(r.pid, r.starttime))
      problems.push({ node: r.node, problem: `${r.name} (pid ${r.pid}) is not running` });
  }
  const found = provider.findInstance ? await provider.findInstance(record.lab, record.instance) : undefined;
  return {
    problems,
    hostProcesses: found?.filter((f) => f.kind === 'process').length,
    hostNamespaces: found?.filter((f) => f.kind === 'namespace').length,
  };
}
