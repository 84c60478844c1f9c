// Processes are stopped by PID only, and only when the PID still names the process we started.
import { readdirSync, readFileSync } from 'node:fs';

/** Field 22 of /proc/PID/stat: when the process started. Tells a reused PID from ours. */
export function startTimeOf(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return fields[19];
  } catch {
    return undefined;
  }
}

/** The PID names a process (a zombie too, until it is reaped): a signal 0, no /proc read. Reading a
 * booting node's /proc/PID/stat took ~0.9 ms here while its holder mounted, where this takes microseconds. */
export function pidExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Alive and not a zombie (PID 1 here reaps orphans only about once a second). */
export function isAlive(pid: number, starttime?: string): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (fields[0] === 'Z' || fields[0] === 'X') return false;
    return starttime === undefined || fields[19] === starttime;
  } catch {
    return false;
  }
}

/** Stopped by a signal (SIGSTOP, SIGTSTP: state T) or at a tracer's stop (t): alive, but it answers
 * nothing until SIGCONT, so that whatever asks it waits for its timeout. */
export function isStopped(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0];
    return state === 'T' || state === 't';
  } catch {
    return false;
  }
}

/** The children of a process, over all its threads. */
export function childrenOf(pid: number): number[] {
  try {
    return readdirSync(`/proc/${pid}/task`).flatMap((t) =>
      readFileSync(`/proc/${pid}/task/${t}/children`, 'utf8').split(' ').filter(Boolean).map(Number),
    );
  } catch {
    return [];
  }
}

/**
 * Host pids of processes a node reports by the pids of its own PID namespace: its init (the node's
 * holder, known on the host) and every descendant, matched by the last field of NSpid. A pid not
 * found is left out, never guessed: a namespace pid is some other process on the host.
 */
export function hostPidsOf(init: number, nsPids: number[]): Map<number, number> {
  const wanted = new Set(nsPids);
  const out = new Map<number, number>();
  const queue = [init];
  for (let i = 0; i < queue.length && out.size < wanted.size; i++) {
    const pid = queue[i];
    // the init is 1 in its namespace: its status is read only when 1 is asked for
    if (pid === init && !wanted.has(1)) {
      queue.push(...childrenOf(pid));
      continue;
    }
    try {
      const nspid = /^NSpid:\s+(.*)$/m
        .exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]
        .trim()
        .split(/\s+/);
      const local = Number(nspid?.at(-1));
      if (wanted.has(local)) out.set(local, pid);
    } catch {
      continue; // gone meanwhile
    }
    queue.push(...childrenOf(pid));
  }
  return out;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** SIGTERM, wait up to `graceMs`, then SIGKILL what is left; every pid checked against its start time. */
export async function stopProcesses(
  procs: { pid: number; starttime?: string }[],
  graceMs = 3000,
): Promise<void> {
  const ours = procs.filter((p) => isAlive(p.pid, p.starttime));
  for (const p of ours) signal(p.pid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  let alive = ours;
  for (let delay = 5; alive.length && Date.now() < deadline; delay = Math.min(delay * 2, 100)) {
    await sleep(delay);
    alive = alive.filter((p) => isAlive(p.pid, p.starttime));
  }
  for (const p of alive) signal(p.pid, 'SIGKILL');
  for (let i = 0; i < 50 && alive.some((p) => isAlive(p.pid, p.starttime)); i++) await sleep(20);
}

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    // already gone
  }
}

/** Whether any process of the group still runs (zombies do not: PID 1 reaps them late). */
function groupRuns(pgid: number): boolean {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (fields[2] === String(pgid) && fields[0] !== 'Z' && fields[0] !== 'X') return true;
    } catch {
      // gone meanwhile
    }
  }
  return false;
}

/** SIGKILL to the process groups these leaders head: while the leader's PID names it (its start
 * time checked), or names no process. The kernel gives no new process a PID that a live group still
 * has as its id: a group whose leader has ended, its members left, is still ours, and a PID reused
 * means our group is empty. Waits up to `waitMs` for them to end. */
export async function stopGroups(
  leaders: { pid: number; starttime?: string }[],
  waitMs = 3000,
): Promise<void> {
  const ours = leaders
    .filter((p) => {
      if (!p.starttime) return false;
      const now = startTimeOf(p.pid);
      return now === undefined || now === p.starttime;
    })
    .map((p) => p.pid);
  for (const pgid of ours) {
    try {
      process.kill(-pgid, 'SIGKILL');
    } catch {
      // gone meanwhile
    }
  }
  const deadline = Date.now() + waitMs;
  while (ours.some(groupRuns) && Date.now() < deadline) await sleep(20);
}
