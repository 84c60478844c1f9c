// Instances on this host: one state folder each, found by scanning the state root.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { PreflightError } from '../errors.js';
import { isAlive } from '../host/processes.js';
import { stateRoot } from '../paths.js';

export interface InstanceRecord {
  /** lab/instance, e.g. bgp-metallb/default */
  id: string;
  lab: string;
  instance: string;
  file: string;
  sets: string[];
  /** Lint errors the lab was brought up despite (lab up --allow): a trap shown on purpose. */
  allowed?: { code: string; message: string }[];
  provider: string;
  dir: string;
  managementPrefix?: string;
  /** The instance's one link in the root namespace. */
  link?: string;
  status: 'starting' | 'up' | 'failed' | 'stopping';
  /** pid of the `lab up` that owns the instance while it starts */
  ownerPid?: number;
  createdAt: string;
}

export function instanceDir(lab: string, instance: string): string {
  return join(stateRoot(), lab, instance);
}

export function readInstance(dir: string): InstanceRecord | undefined {
  const file = join(dir, 'instance.json');
  if (!existsSync(file)) return undefined;
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as InstanceRecord;
  } catch {
    return undefined;
  }
}

/** Every instance with a state folder in this state root: up, starting, failed, or left by a crash. */
export function recordedInstances(): InstanceRecord[] {
  const root = stateRoot();
  if (!existsSync(root)) return [];
  if (!statSync(root).isDirectory())
    throw new PreflightError(`the state folder ${root} is a file, not a folder`, {
      code: 'state-unwritable',
      details: ['Set LAB_STATE_DIR to a folder (default ~/.local/state/lab), or move the file away.'],
    });
  return readdirSync(root, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .flatMap((lab) =>
      foldersIn(join(root, lab.name))
        .map((d) => readInstance(join(root, lab.name, d.name)))
        .filter((r): r is InstanceRecord => !!r),
    );
}

/** The folders in DIR; none when it went away since its parent was listed (a lab's last down). */
function foldersIn(dir: string) {
  try {
    return readdirSync(dir, { withFileTypes: true }).filter((d) => d.isDirectory());
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw e;
  }
}

/** Left by a crash: starting or stopping, and the `lab up` or `lab down` doing it is gone. */
export function isCrashed(r: InstanceRecord): boolean {
  return (r.status === 'starting' || r.status === 'stopping') && !(r.ownerPid && isAlive(r.ownerPid));
}

/** The instances of this state root that are not crash leftovers (up, failed and left for a look, or
 * being started or stopped right now). */
export function runningInstances(): InstanceRecord[] {
  return recordedInstances().filter((r) => !isCrashed(r));
}
