// What a lab left on the host: namespaces, root links, live processes, mounts. Tests assert it is nothing.
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { Journal } from '../../src/engine/journal.js';
import { hostPidsOf, isAlive } from '../../src/host/processes.js';
import { cgroupInstances } from '../../src/providers/netns/cgroups.js';
import { instanceTag } from '../../src/providers/netns/names.js';

export function namespacesOf(prefix: string): string[] {
  try {
    return readdirSync('/run/netns').filter((n) => n.startsWith(prefix));
  } catch {
    return [];
  }
}

export function rootLinks(): string[] {
  return readdirSync('/sys/class/net').filter((l) => /^lab[0-9a-f]{5}$/.test(l));
}

/** A node's own pids (its PID namespace's, whitespace-separated in `output`) and their host pids, found
 * under the node's holder as the journal names it: a pid not found there is missing from `host`. */
export function nodePidsOnHost(journalFile: string, node: string, output: string) {
  const reported = output.split(/\s+/).filter(Boolean).map(Number);
  const holder = new Journal(journalFile).pidOf(`process:${node}:holder`) ?? 0;
  return { reported, host: [...hostPidsOf(holder, reported).values()] };
}

/** Processes the journal recorded that still run (zombies count as gone: PID 1 reaps them late). */
export function liveProcesses(journalFile: string): string[] {
  return new Journal(journalFile)
    .resources()
    .flatMap((r) =>
      r.kind === 'process' && r.pid && isAlive(r.pid, r.starttime) ? [`${r.node}:${r.name}:${r.pid}`] : [],
    );
}

export function labMounts(): string[] {
  return readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .filter((l) => /\blab-(etc|run|root|node)\b/.test(l));
}

/**
 * What one instance left: its namespaces, its root link and mounts of its folders. Only its own:
 * other runs on the host (helpers, a parallel test file, a workshop) come and go meanwhile.
 * `prefix` is lab.LAB.INSTANCE (a trailing dot is allowed).
 */
export function leftovers(prefix: string) {
  const [, lab, instance] = prefix.split('.');
  const link = `lab${instanceTag(lab, instance)}`;
  return {
    namespaces: namespacesOf(prefix),
    links: rootLinks().filter((l) => l === link),
    mounts: labMounts().filter((l) => l.includes(`/${lab}/${instance}/`)),
  };
}

/** What one instance left of the node sandbox (docs/sandbox.md) outside its namespaces: id ranges
 * still taken for its nodes, kept user namespaces, cgroups. `prefix` is lab.LAB.INSTANCE. */
export function sandboxLeftovers(prefix: string) {
  const ours = (n: string) => n === prefix || n.startsWith(`${prefix}.`);
  const list = (dir: string) => {
    try {
      return readdirSync(dir);
    } catch {
      return [];
    }
  };
  const held = list('/run/lab/uids').flatMap((s) => {
    try {
      return [readlinkSync(`/run/lab/uids/${s}`)];
    } catch {
      return []; // given back by another run meanwhile
    }
  });
  return {
    idRanges: held.filter(ours),
    userns: list('/run/lab/userns').filter(ours),
    cgroups: [...cgroupInstances().keys()].filter(ours),
  };
}

/** SIGKILL to a process, then until it has ended (a zombie counts as ended): the kill is delivered when
 * the process next runs, which on a busy host is after the next line of the test. */
export async function killAndWait(pid: number, timeoutMs = 5000): Promise<void> {
  process.kill(pid, 'SIGKILL');
  for (const until = Date.now() + timeoutMs; isAlive(pid) && Date.now() < until; )
    await new Promise((r) => setTimeout(r, 10));
}
