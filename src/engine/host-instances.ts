// The host's instance list, in /run so that a reboot clears it with the
// namespaces: gc and status see every instance on the host, whichever state folder (LAB_STATE_DIR,
// HOME) it was started with.
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { makeStateDir } from '../host/fs.js';
import { stateRoot } from '../paths.js';
import { type InstanceRecord, readInstance, recordedInstances } from './instances.js';

const INSTANCE_LIST = process.env.LAB_INSTANCES_DIR ?? '/run/lab/instances';

/** An instance's entry in the list (leak checks look for it too). */
export const entryOf = (lab: string, instance: string) => join(INSTANCE_LIST, `${lab}.${instance}`);

export function listInstance(record: InstanceRecord): void {
  makeStateDir(INSTANCE_LIST, "the host's instance list");
  writeFileSync(entryOf(record.lab, record.instance), record.dir);
}

export function unlistInstance(lab: string, instance: string): void {
  rmSync(entryOf(lab, instance), { force: true });
}

/** The host's instance list: one file per instance; none when the list was never made. */
function listEntries(): string[] {
  try {
    return readdirSync(INSTANCE_LIST);
  } catch {
    return [];
  }
}

/** Every listed instance whose state folder still holds it. */
export function listedInstances(): InstanceRecord[] {
  return listEntries().flatMap((e) => {
    const dir = folderOf(e);
    const record = dir === undefined ? undefined : readInstance(dir);
    return record ? [record] : [];
  });
}

/** The state folder an entry names; none when its instance went down since the list was read. */
function folderOf(entry: string): string | undefined {
  try {
    return readFileSync(join(INSTANCE_LIST, entry), 'utf8').trim();
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
}

/** This state folder's instances and every other one the host lists, once each, crash
 * leftovers included (gc removes them; until then their management prefixes stay taken). */
export function knownInstances(): InstanceRecord[] {
  return [...new Map([...recordedInstances(), ...listedInstances()].map((i) => [i.dir, i])).values()];
}

/** Listed instances whose state folder exists but whose instance.json cannot be read. */
export function damagedInstances(): { lab: string; instance: string; dir: string }[] {
  return listEntries().flatMap((e) => {
    const [lab, instance] = e.split('.');
    const dir = folderOf(e);
    return dir !== undefined && existsSync(dir) && !readInstance(dir) ? [{ lab, instance, dir }] : [];
  });
}

/** Every lab state folder on the host: this process's and each listed instance's (its
 * grandparent: STATE/LAB/INSTANCE). Nodes get them hidden, so no node reads another's keys. */
export function stateFoldersOnHost(): string[] {
  const roots = [stateRoot(), ...knownInstances().map((i) => dirname(dirname(i.dir)))];
  return [...new Set(roots.map((r) => resolve(r)))];
}
