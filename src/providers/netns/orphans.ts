// What crashed netns runs left: namespaces and root links with our prefixes that no journal lists.
import { readdirSync } from 'node:fs';
import { runCommand } from '../../host/command.js';
import { stopProcesses } from '../../host/processes.js';
import type { Orphan } from '../provider.js';
import { LINK_PATTERN, NETNS_PREFIX } from './names.js';
import { linkExists, listNetns, pidsInNetns } from './teardown.js';

function rootLinks(): string[] {
  try {
    return readdirSync('/sys/class/net').filter((l) => LINK_PATTERN.test(l));
  } catch {
    return [];
  }
}

export async function findOrphans(owned: Set<string>): Promise<Orphan[]> {
  return [
    ...listNetns()
      .filter((n) => n.startsWith(NETNS_PREFIX) && !owned.has(n))
      .map((name) => ({ kind: 'namespace', name })),
    ...rootLinks()
      .filter((l) => !owned.has(l))
      .map((name) => ({ kind: 'link', name })),
  ];
}

export async function removeOrphans(orphans: Orphan[]): Promise<void> {
  const namespaces = orphans.filter((o) => o.kind === 'namespace').map((o) => o.name);
  const links = orphans.filter((o) => o.kind === 'link').map((o) => o.name);
  // whatever runs inside an orphaned namespace is ours: stop it by PID before removing the namespace
  await stopProcesses(pidsInNetns(namespaces).map((pid) => ({ pid })));
  const lines = [
    ...links.filter(linkExists).map((l) => `link del ${l}`),
    ...namespaces.map((n) => `netns del ${n}`),
  ];
  if (lines.length) await runCommand('ip', ['-force', '-batch', '-'], { input: `${lines.join('\n')}\n` });
}
