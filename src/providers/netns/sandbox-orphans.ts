// What a killed run can leave of the node sandbox outside its namespaces (docs/sandbox.md): id ranges
// in /run/lab/uids, kept user namespaces, cgroups, the nodes' tmpfs folders. Each names the node's (or
// the instance's) network namespace; it is an orphan when no live instance owns that name and the
// namespace is gone. A range is also left alone for a while after it is taken: a run takes its ranges
// a moment before it makes (and records) the namespaces.
import type { Orphan } from '../../contracts/provider.js';
import { runCommand } from '../../host/command.js';
import { mountTable } from '../../host/mounts.js';
import { stopProcesses } from '../../host/processes.js';
import { cgroupInstances, cgroupPids, removeCgroups } from './cgroups.js';
import { NETNS_PREFIX } from './names.js';
import { listNetns } from './teardown.js';
import { heldIdRanges, keptUserns, releaseIdRanges, removeUsernsScript } from './userns.js';

/** Long enough for any run between taking a range and recording its namespace. */
const RANGE_GRACE_MS = 30_000;

/** Host mount points of the nodes' folders (tmpfs `lab-node`, at STATE/LAB/INSTANCE/nodes/NODE). */
export function nodeFolderMounts(): string[] {
  return mountTable({ fstype: 'tmpfs', source: 'lab-node' }).map((m) => m.point);
}

/** The node namespace a node folder's mount belongs to: lab.LAB.INSTANCE.NODE. */
export function netnsOfNodeFolder(path: string): string | undefined {
  const m = /\/([^/]+)\/([^/]+)\/nodes\/([^/]+)$/.exec(path);
  return m ? `${NETNS_PREFIX}${m[1]}.${m[2]}.${m[3]}` : undefined;
}

export function findSandboxOrphans(owned: Set<string>): Orphan[] {
  const present = new Set(listNetns());
  const gone = (ns: string) => ns.startsWith(NETNS_PREFIX) && !owned.has(ns) && !present.has(ns);
  return [
    ...nodeFolderMounts()
      .filter((path) => !owned.has(path) && gone(netnsOfNodeFolder(path) ?? ''))
      .map((name) => ({ kind: 'mount', name })),
    ...keptUserns()
      .filter(gone)
      .map((name) => ({ kind: 'user namespace', name })),
    ...heldIdRanges()
      .filter((r) => r.ageMs > RANGE_GRACE_MS && gone(r.holder))
      .map((r) => ({ kind: 'id range', name: r.holder })),
    ...[...cgroupInstances().keys()].filter(gone).map((name) => ({ kind: 'cgroup', name })),
  ];
}

export async function removeSandboxOrphans(orphans: Orphan[]): Promise<void> {
  const named = (kind: string) => orphans.filter((o) => o.kind === kind).map((o) => o.name);
  const groups = cgroupInstances();
  // what still runs in an orphaned cgroup is a killed run's: it ends before the cgroup goes
  const cgroups = named('cgroup').map((name) => ({ name, nodes: groups.get(name) ?? [] }));
  await stopProcesses(cgroups.flatMap((c) => cgroupPids(c.name, c.nodes)).map((pid) => ({ pid })));
  for (const c of cgroups) removeCgroups(c.name, c.nodes);
  const mounts = named('mount');
  if (mounts.length) await runCommand('umount', ['-l', ...mounts]);
  const users = removeUsernsScript(named('user namespace'));
  if (users.length) await runCommand('/bin/sh', ['-c', users.join('\n')]);
  releaseIdRanges(named('id range'));
}
