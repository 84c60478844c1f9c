// After down: nothing of the instance may be left on the host. What the journal listed is snapshotted
// before down (down removes the journal with the state folder), then looked for afterwards.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import type { Resource } from '../contracts/provider.js';
import { entryOf } from '../engine/host-instances.js';
import type { InstanceRecord } from '../engine/instances.js';
import { journalOf } from '../engine/state.js';
import { isAlive } from '../host/processes.js';
import type { Leak } from '../report/results.js';

export interface LeakSnapshot {
  record: InstanceRecord;
  resources: Resource[];
}

export function snapshotForLeaks(record: InstanceRecord): LeakSnapshot {
  return { record, resources: journalOf(record.dir).resources() };
}

const list = (dir: string) => {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
};

export function findLeaks({ record, resources }: LeakSnapshot): Leak[] {
  const leaks: Leak[] = [];
  const netns = new Set(list('/run/netns'));
  const links = new Set(list('/sys/class/net'));
  for (const r of resources) {
    if (r.kind === 'netns' && netns.has(r.name)) leaks.push({ kind: 'namespace', what: r.name });
    if (r.kind === 'link' && links.has(r.name)) leaks.push({ kind: 'link', what: r.name });
    if (r.kind === 'process' && r.pid && isAlive(r.pid, r.starttime))
      leaks.push({ kind: 'process', what: `${r.node ?? ''}:${r.name} pid ${r.pid}` });
  }
  // namespaces of this instance the journal may not have listed (a crash between create and record)
  const own = `lab.${record.lab}.${record.instance}`;
  for (const n of netns)
    if ((n === own || n.startsWith(`${own}.`)) && !leaks.some((l) => l.what === n))
      leaks.push({ kind: 'namespace', what: n });
  if (record.link && links.has(record.link) && !leaks.some((l) => l.what === record.link))
    leaks.push({ kind: 'link', what: record.link });
  for (const line of readFileSync('/proc/self/mountinfo', 'utf8').split('\n'))
    if (line.includes(`${record.dir}/`)) leaks.push({ kind: 'mount', what: line.split(' ')[4] ?? line });
  if (existsSync(record.dir)) leaks.push({ kind: 'state', what: record.dir });
  // its entry in the host's instance list, under the kind's name in lab-nightly/1
  if (existsSync(entryOf(record.lab, record.instance)))
    leaks.push({ kind: 'registry', what: entryOf(record.lab, record.instance) });
  return leaks;
}
