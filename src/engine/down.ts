// lab down: stop whatever works on the instance (a starting up is cancelled), replay the journal in
// reverse, then remove what the host still holds under the instance's names (the journal may be
// damaged or gone), its entry in the host's instance list and the state folder. Running it twice is fine.
import { existsSync, readFileSync, realpathSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Orphan } from '../contracts/provider.js';
import { BusyError, hostWriteError } from '../errors.js';
import { runCommand } from '../host/command.js';
import { mountsUnder } from '../host/mounts.js';
import { DEFAULT_PROVIDER, providerOf } from '../providers/index.js';
import type { EventLog } from './events.js';
import { entryOf, unlistInstance } from './host-instances.js';
import { type InstanceRecord, instanceDir, readInstance } from './instances.js';
import { type LockOwner, takeOverLock } from './lock.js';
import { journalOf, refuseForeignFolder, writeInstance } from './state.js';

export interface DownResult {
  removed: boolean;
  ms: number;
  /** What the host held under the instance's names beyond its journal, by kind. */
  beyondJournal: Record<string, number>;
  /** The command that held the instance and was stopped first (a starting lab up). */
  stopped?: LockOwner;
}

/** Refuses to remove an instance another state folder listed on this host (someone else's). */
function verifyOurs(lab: string, instance: string, dir: string): void {
  let registered: string;
  try {
    registered = readFileSync(entryOf(lab, instance), 'utf8').trim();
  } catch {
    return;
  }
  if (registered !== dir && readInstance(registered))
    throw new BusyError(
      `${lab} (instance ${instance}) belongs to the state folder ${registered}, not ${dir}`,
      {
        details: [
          `Remove it from there: LAB_STATE_DIR=${registered.replace(/\/[^/]+\/[^/]+$/, '')} lab down ...`,
        ],
      },
    );
}

/** `events` logs the teardown as a step (the instance's own log goes with its folder). */
export async function labDown(lab: string, instance: string, events?: EventLog): Promise<DownResult> {
  const started = Date.now();
  const dir = instanceDir(lab, instance);
  verifyOurs(lab, instance, dir);
  const { lock, stopped } = await takeOverLock(lab, instance);
  try {
    const hadDir = existsSync(dir);
    const record = hadDir ? readInstance(dir) : undefined; // undefined too when instance.json is damaged
    // a state folder that cannot be removed (read-only, immutable) does not stop the host's cleanup:
    // said after it, with its cause
    let folderError: unknown;
    const teardown = async () => {
      if (hadDir) await destroyInstance(dir, record).catch((e) => (folderError = e));
      // what the journal did not list (emptied, damaged, or the folder deleted): found by name
      const provider = await providerOf(record?.provider ?? DEFAULT_PROVIDER);
      const found: Orphan[] = (await provider.findInstance?.(lab, instance)) ?? [];
      if (found.length) await provider.removeOrphans(found);
      return found;
    };
    const found = await (events ? events.span('teardown', undefined, teardown) : teardown());
    const registered = existsSync(entryOf(lab, instance));
    unlistInstance(lab, instance);
    const beyondJournal: Record<string, number> = {};
    for (const f of found) beyondJournal[f.kind] = (beyondJournal[f.kind] ?? 0) + 1;
    if (folderError) throw folderError;
    return {
      removed: hadDir || registered || found.length > 0 || !!stopped,
      ms: Date.now() - started,
      beyondJournal,
      stopped,
    };
  } finally {
    lock.release();
  }
}

/** Removes an instance's resources and folder, whatever state a crash left it in. */
export async function destroyInstance(dir: string, record: InstanceRecord | undefined): Promise<void> {
  if (!record) refuseForeignFolder(dir);
  if (record) {
    record.status = 'stopping';
    // gc leaves an instance alone while the process stopping it lives
    record.ownerPid = process.pid;
    try {
      writeInstance(record);
    } catch {
      // a read-only folder: the host is cleaned all the same, and the folder's error said after
    }
  }
  await (await providerOf(record?.provider ?? DEFAULT_PROVIDER)).destroy(journalOf(dir).resources());
  // what is still mounted in the folder (a node's folders, when the journal was emptied) would make
  // its removal fail half-way: lab down by name then finds the rest
  const mounted = existsSync(dir) ? mountsUnder(realpathSync(dir)) : [];
  if (mounted.length) await runCommand('umount', ['-l', ...mounted]);
  try {
    rmSync(dir, { recursive: true, force: true });
  } catch (e) {
    // the host is clean: its instance-list entry goes, the folder stays, said with its real cause (rmSync
    // reports an immutable folder's EPERM as ENOTDIR of a file in it)
    if (record) unlistInstance(record.lab, record.instance);
    const error = hostWriteError('the state folder', dir, probeWrite(dir) ?? e);
    error.details = [
      'Everything the instance ran on the host is removed; only this folder is left.',
      'Make it writable, then lab down again removes it.',
    ];
    throw error;
  }
  if (record) unlistInstance(record.lab, record.instance);
}

/** Why a folder cannot be written: the error of creating and removing a file in it, if any. */
function probeWrite(dir: string): unknown {
  const probe = join(dir, `.lab-probe-${process.pid}`);
  try {
    writeFileSync(probe, '');
    unlinkSync(probe);
    return undefined;
  } catch (e) {
    return e;
  }
}
