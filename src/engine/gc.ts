// gc: what crashed runs left. Instances whose `lab up` died while starting are torn down from their
// journals; namespaces and root links with our prefixes that no journal lists are orphans.

import { readdirSync } from 'node:fs';
import { runCommand } from '../host/command.js';
import { LINK_PATTERN, NETNS_PREFIX } from '../providers/netns/names.js';
import { linkExists, listNetns, pidsInNetns } from '../providers/netns/teardown.js';
import { destroyInstance } from './down.js';
import { isAlive, stopProcesses } from './processes.js';
import { knownInstances } from './registry.js';
import { journalOf } from './state.js';

export interface Garbage {
  instances: string[];
  namespaces: string[];
  links: string[];
}

function rootLinks(): string[] {
  try {
    return readdirSync('/sys/class/net').filter((l) => LINK_PATTERN.test(l));
  } catch {
    return [];
  }
}

export async function collectGarbage(opts: { dryRun?: boolean } = {}): Promise<Garbage> {
  // this state folder's instances, and every other one registered on the host
  const instances = knownInstances();
  const crashed = instances.filter(
    (i) => i.status === 'stopping' || (i.status === 'starting' && !(i.ownerPid && isAlive(i.ownerPid))),
  );
  if (!opts.dryRun) for (const i of crashed) await destroyInstance(i.dir, i);

  const live = instances.filter((i) => !crashed.includes(i));
  const owned = new Set(
    live.flatMap((i) =>
      journalOf(i.dir)
        .resources()
        .flatMap((r) => (r.kind === 'netns' || r.kind === 'link' ? [r.name] : [])),
    ),
  );
  const namespaces = listNetns().filter((n) => n.startsWith(NETNS_PREFIX) && !owned.has(n));
  const links = rootLinks().filter((l) => !owned.has(l));
  if (!opts.dryRun) {
    // whatever runs inside an orphaned namespace is ours: stop it by PID before removing the namespace
    await stopProcesses(pidsInNetns(namespaces).map((pid) => ({ pid })));
    const lines = [
      ...links.filter(linkExists).map((l) => `link del ${l}`),
      ...namespaces.map((n) => `netns del ${n}`),
    ];
    if (lines.length) await runCommand('ip', ['-force', '-batch', '-'], { input: `${lines.join('\n')}\n` });
  }
  return { instances: crashed.map((i) => i.id), namespaces, links };
}
