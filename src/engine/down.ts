// lab down: replay the journal in reverse, then remove the state folder. Running it twice is fine.
import { existsSync, rmSync } from 'node:fs';
import { providerOf } from '../providers/index.js';
import type { EventLog } from './events.js';
import { type InstanceRecord, instanceDir, readInstance } from './instances.js';
import { unregisterInstance } from './registry.js';
import { journalOf, writeInstance } from './state.js';

/** `events` logs the teardown as a step (the instance's own log goes with its folder). */
export async function labDown(
  lab: string,
  instance: string,
  events?: EventLog,
): Promise<{ removed: boolean; ms: number }> {
  const started = Date.now();
  const dir = instanceDir(lab, instance);
  if (!existsSync(dir)) return { removed: false, ms: 0 };
  const destroy = () => destroyInstance(dir, readInstance(dir));
  await (events ? events.step('teardown', undefined, destroy) : destroy());
  return { removed: true, ms: Date.now() - started };
}

/** Removes an instance's resources and folder, whatever state a crash left it in. */
export async function destroyInstance(dir: string, record: InstanceRecord | undefined): Promise<void> {
  if (record) {
    record.status = 'stopping';
    // gc leaves an instance alone while the process stopping it lives
    record.ownerPid = process.pid;
    writeInstance(record);
  }
  await (await providerOf(record?.provider ?? 'netns')).destroy(journalOf(dir).resources());
  rmSync(dir, { recursive: true, force: true });
  if (record) unregisterInstance(record.lab, record.instance);
}
