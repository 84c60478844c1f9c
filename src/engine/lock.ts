// One command at a time works on an instance: `lab up`, `lab down`, `lab check` and `lab exec` take
// its lock, a file in /run/lab/locks naming the owner's pid and start time (so a dead owner's lock
// is taken over, never a live one's). `lab down` does not wait for a starting `lab up`: it asks it
// to stop (SIGUSR2: up removes what it made and exits 8), then removes what is left.
import { closeSync, existsSync, openSync, readdirSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { BusyError } from '../errors.js';
import { makeStateDir } from '../host/fs.js';
import { isAlive, startTimeOf } from '../host/processes.js';
import { instanceFlag } from '../names.js';

export const LOCKS = process.env.LAB_LOCK_DIR ?? '/run/lab/locks';
/** The signal `lab down` sends a `lab up` of the same instance: stop, clean up, exit 8. */
export const CANCEL_SIGNAL = 'SIGUSR2';

export type LockCommand = 'up' | 'down' | 'check' | 'exec';

export interface LockOwner {
  pid: number;
  starttime?: string;
  command: LockCommand;
  since: string;
}

export const lockFileOf = (lab: string, instance: string) => join(LOCKS, `${lab}.${instance}.lock`);

/** The live owner of an instance's lock, if any (a dead owner's lock is stale and ignored). */
export function lockOwner(lab: string, instance: string): LockOwner | undefined {
  try {
    const owner = JSON.parse(readFileSync(lockFileOf(lab, instance), 'utf8')) as LockOwner;
    return owner.pid !== process.pid && isAlive(owner.pid, owner.starttime) ? owner : undefined;
  } catch {
    return undefined;
  }
}

export interface InstanceLock {
  release(): void;
}

function tryCreate(file: string, owner: LockOwner): boolean {
  try {
    const fd = openSync(file, 'wx', 0o644);
    writeSync(fd, JSON.stringify(owner));
    closeSync(fd);
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw e;
  }
}

/** Takes the lock or refuses (exit 6) naming who holds it; a stale lock (dead owner) is taken over. */
export function acquireLock(lab: string, instance: string, command: LockCommand): InstanceLock {
  makeStateDir(LOCKS, 'the host folder of instance locks');
  const file = lockFileOf(lab, instance);
  const me: LockOwner = {
    pid: process.pid,
    starttime: startTimeOf(process.pid),
    command,
    since: new Date().toISOString(),
  };
  for (let attempt = 0; attempt < 3; attempt++) {
    if (tryCreate(file, me)) return { release: () => releaseIfMine(file) };
    const owner = lockOwner(lab, instance);
    if (owner) {
      const again = instanceFlag(instance);
      throw new BusyError(
        `${lab} (instance ${instance}) is busy: lab ${owner.command} (pid ${owner.pid}) is working on it since ${owner.since}`,
        {
          details: [
            `Wait for it to finish, or remove the instance with lab down ${lab}${again} (it stops a starting lab up).`,
          ],
        },
      );
    }
    rmSync(file, { force: true }); // its owner died: the lock is stale
  }
  throw new BusyError(`${lab} (instance ${instance}) is busy: its lock changes hands too fast to take`);
}

function releaseIfMine(file: string): void {
  try {
    const owner = JSON.parse(readFileSync(file, 'utf8')) as LockOwner;
    if (owner.pid === process.pid) rmSync(file, { force: true });
  } catch {
    // gone already
  }
}

/**
 * For `lab down`: takes the lock, first stopping whatever holds it (a starting `lab up` removes what it
 * made and exits 8; a check or exec exits 8); another `lab down` is waited for (up to 2 minutes). Waits up to `ms` for the holder to let go, then kills it.
 */
export async function takeOverLock(
  lab: string,
  instance: string,
  ms = 30_000,
): Promise<{ lock: InstanceLock; stopped?: LockOwner }> {
  let stopped: LockOwner | undefined;
  // a few rounds: another command may take the lock between a look and the take (two downs at once)
  for (let round = 0; ; round++) {
    const owner = lockOwner(lab, instance);
    if (owner?.command === 'down') {
      // another lab down is removing it: let it finish (this one then removes what is left, if
      // anything), rather than cancel it halfway and have it exit 8 as a cancelled up would
      const deadline = Date.now() + 120_000;
      while (isAlive(owner.pid, owner.starttime) && lockOwner(lab, instance) && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 50));
      if (isAlive(owner.pid, owner.starttime) && lockOwner(lab, instance))
        await stop(lab, instance, owner, ms);
    } else if (owner) {
      await stop(lab, instance, owner, ms);
      stopped ??= owner;
    }
    try {
      return { lock: acquireLock(lab, instance, 'down'), stopped };
    } catch (e) {
      if (!(e instanceof BusyError) || round >= 5) throw e;
    }
  }
}

/** Asks the owner to let go (a starting up cancels), then kills it after `ms`. */
async function stop(lab: string, instance: string, owner: LockOwner, ms: number): Promise<void> {
  signal(owner, CANCEL_SIGNAL);
  signal(owner, 'SIGCONT'); // a stopped owner (Ctrl-Z, SIGSTOP) would handle the cancel only after ms
  const deadline = Date.now() + ms;
  while (isAlive(owner.pid, owner.starttime) && lockOwner(lab, instance) && Date.now() < deadline)
    await new Promise((r) => setTimeout(r, 50));
  if (isAlive(owner.pid, owner.starttime) && lockOwner(lab, instance)) {
    signal(owner, 'SIGKILL');
    const killed = Date.now() + 5000;
    while (isAlive(owner.pid, owner.starttime) && Date.now() < killed)
      await new Promise((r) => setTimeout(r, 20));
  }
}

function signal(owner: LockOwner, sig: NodeJS.Signals): void {
  try {
    if (isAlive(owner.pid, owner.starttime)) process.kill(owner.pid, sig);
  } catch {
    // it ended meanwhile
  }
}

/** For `lab gc`: the lock files whose owner is dead (a SIGKILLed `lab up`), removed unless dryRun.
 * A lock someone takes meanwhile is left alone: only a file still naming the dead owner goes. */
export function removeStaleLocks(dryRun = false): string[] {
  if (!existsSync(LOCKS)) return [];
  const stale: string[] = [];
  for (const name of readdirSync(LOCKS)) {
    if (!name.endsWith('.lock')) continue;
    const file = join(LOCKS, name);
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      continue; // released meanwhile
    }
    let owner: Partial<LockOwner> = {};
    try {
      owner = JSON.parse(text) as LockOwner;
    } catch {
      // unreadable: a crash between create and write; it guards nothing
    }
    if (typeof owner.pid === 'number' && isAlive(owner.pid, owner.starttime)) continue;
    stale.push(name.replace(/\.lock$/, ''));
    if (dryRun) continue;
    try {
      if (readFileSync(file, 'utf8') === text) rmSync(file, { force: true });
    } catch {
      // gone already
    }
  }
  return stale;
}
