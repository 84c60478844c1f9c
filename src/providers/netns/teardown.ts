// Teardown replays the journal in reverse: processes by PID, then whatever still runs inside our
// namespaces (by PID, found through /proc), then the namespaces and the root link. Idempotent.
import { readdirSync, readlinkSync, statSync } from 'node:fs';
import type { Resource } from '../../contracts/provider.js';
import { runCommand } from '../../host/command.js';
import { stopGroups, stopProcesses } from '../../host/processes.js';
import { removeCgroups } from './cgroups.js';
import { releaseIdRanges, removeUsernsScript } from './userns.js';

/** The inodes of named network namespaces. */
function netnsInodes(namespaces: string[]): Set<number> {
  const inodes = new Set<number>();
  for (const ns of namespaces) {
    try {
      inodes.add(statSync(`/run/netns/${ns}`).ino);
    } catch {
      // not there (any more)
    }
  }
  return inodes;
}

/** Namespaces made inside our nodes (pods): each node's /run/netns, seen through a process of the node.
 * Only a node's own /run counts: through a process that sees the host's /run (anything started with
 * `ip netns exec`), /run/netns would list every namespace on the host. */
export function nestedNetnsInodes(pids: number[]): Set<number> {
  const inodes = new Set<number>();
  const hostRun = statSync('/run');
  for (const pid of pids) {
    const dir = `/proc/${pid}/root/run/netns`;
    try {
      const run = statSync(`/proc/${pid}/root/run`);
      if (run.dev === hostRun.dev && run.ino === hostRun.ino) continue;
      for (const e of readdirSync(dir)) inodes.add(statSync(`${dir}/${e}`).ino);
    } catch {
      // no nested namespaces, or the process is gone
    }
  }
  return inodes;
}

/** PIDs whose network namespace is one of the given ones, found in one /proc scan. */
export function pidsInNetnsInodes(inodes: Set<number>): number[] {
  if (!inodes.size) return [];
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const m = /^net:\[(\d+)\]$/.exec(readlinkSync(`/proc/${entry}/ns/net`));
      if (m && inodes.has(Number(m[1]))) pids.push(Number(entry));
    } catch {
      // the process is gone, or not ours to read
    }
  }
  return pids;
}

/** PIDs in the named namespaces or in namespaces nested inside them (pods in nodes). */
export function pidsInNetns(namespaces: string[]): number[] {
  const direct = pidsInNetnsInodes(netnsInodes(namespaces));
  const nested = pidsInNetnsInodes(nestedNetnsInodes(direct));
  return [...new Set([...direct, ...nested])];
}

export async function destroyResources(resources: Resource[]): Promise<void> {
  const reversed = [...resources].reverse();
  type Proc = Extract<Resource, { kind: 'process' }>;
  const procs = reversed.filter((r): r is Proc => r.kind === 'process' && !!r.pid);
  const byPid = (p: Proc) => ({ pid: p.pid!, starttime: p.starttime });
  // a setup shell still running is a killed run's (network.ts): its group ends before anything is removed
  await stopGroups(procs.filter((p) => p.name === 'setup').map(byPid));
  // pods' processes live in namespaces inside the nodes: find them while the nodes still run
  const nested = nestedNetnsInodes(procs.filter((p) => p.name === 'holder').map((p) => p.pid!));
  // daemons first, the holders (which keep the nodes' mounts) last
  await stopProcesses(procs.filter((p) => p.name !== 'holder').map(byPid));
  await stopProcesses(procs.map(byPid));
  const namespaces = reversed.flatMap((r) => (r.kind === 'netns' ? [r.name] : []));
  // what the journal does not know (an nginx worker, an ssh session): still ours, by namespace
  const stragglers = [...new Set([...pidsInNetns(namespaces), ...pidsInNetnsInodes(nested)])];
  if (stragglers.length)
    await stopProcesses(
      stragglers.map((pid) => ({ pid })),
      2000,
    );
  const links = reversed.flatMap((r) => (r.kind === 'link' ? [r.name] : []));
  await removeNamespaces(namespaces, links);
  const mounts = reversed.flatMap((r) => (r.kind === 'mount' && isMountPoint(r.path) ? [r.path] : []));
  if (mounts.length) await runCommand('umount', ['-l', ...mounts]);
  // the switch's namespace names the instance's cgroup; the nodes' (with an id range) their own
  const nets = reversed.flatMap((r) => (r.kind === 'netns' ? [r] : []));
  for (const sw of nets.filter((r) => !r.idBase))
    removeCgroups(
      sw.name,
      nets.filter((r) => r.idBase).map((r) => r.name),
    );
}

/** Removes the links and namespaces (and the nodes' user namespaces, and their id ranges). */
export async function removeNamespaces(namespaces: string[], links: string[]): Promise<void> {
  const existing = new Set(listNetns());
  const lines = [
    ...links.filter(linkExists).map((l) => `link del ${l}`),
    ...namespaces.filter((n) => existing.has(n)).map((n) => `netns del ${n}`),
  ];
  if (lines.length) {
    const r = await runCommand('ip', ['-force', '-batch', '-'], { input: `${lines.join('\n')}\n` });
    // another remover (a second lab down, lab gc) may take one between the look and the batch: what
    // counts is that none is left
    const still = new Set(listNetns());
    const left = [...links.filter(linkExists), ...namespaces.filter((n) => still.has(n))];
    if (r.exitCode !== 0 && left.length)
      throw new Error(`removing namespaces and links failed: ${(r.stderr || r.stdout).trim()}`);
  }
  const users = removeUsernsScript(namespaces);
  if (users.length) await runCommand('/bin/sh', ['-c', users.join('\n')]);
  releaseIdRanges(namespaces);
}

/** A folder something is mounted on (its device differs from its parent's). */
function isMountPoint(path: string): boolean {
  try {
    return statSync(path).dev !== statSync(`${path}/..`).dev;
  } catch {
    return false;
  }
}

export function listNetns(): string[] {
  try {
    return readdirSync('/run/netns');
  } catch {
    return [];
  }
}

export function linkExists(name: string): boolean {
  try {
    statSync(`/sys/class/net/${name}`);
    return true;
  } catch {
    return false;
  }
}
