// What crashed netns runs left: namespaces and root links with our prefixes that no journal lists.
import { readdirSync } from 'node:fs';
import type { Orphan } from '../../contracts/provider.js';
import { runCommand } from '../../host/command.js';
import { stopProcesses } from '../../host/processes.js';
import { cgroupInstances, removeCgroups } from './cgroups.js';
import { instanceTag, LINK_PATTERN, NETNS_PREFIX } from './names.js';
import {
  findSandboxOrphans,
  netnsOfNodeFolder,
  nodeFolderMounts,
  removeSandboxOrphans,
} from './sandbox-orphans.js';
import { linkExists, listNetns, pidsInNetns, removeNamespaces } from './teardown.js';

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
    ...findSandboxOrphans(owned),
  ];
}

export async function removeOrphans(orphans: Orphan[]): Promise<void> {
  const namespaces = orphans.filter((o) => o.kind === 'namespace').map((o) => o.name);
  const links = orphans.filter((o) => o.kind === 'link').map((o) => o.name);
  // whatever runs inside an orphaned namespace is ours: stop it by PID before removing the namespace
  await stopProcesses(pidsInNetns(namespaces).map((pid) => ({ pid })));
  await removeNamespaces(namespaces, links).catch(() => undefined);
  // an instance's cgroup is named after its switch namespace, its nodes' after theirs
  const cgroups = cgroupInstances();
  for (const n of namespaces) removeCgroups(n, cgroups.get(n) ?? []);
  // then what is left of the sandbox outside the namespaces (ranges, kept user namespaces, mounts)
  await removeSandboxOrphans(orphans);
}

/** An instance's namespaces (its switch, `lab.<lab>.<instance>`, and each node's, one more dotted
 * part) and its root link, by name. Names hold no dots of their own, so `a` never matches `ab`
 * nor `a.x` a node of `a`. */
export async function findInstance(lab: string, instance: string): Promise<Orphan[]> {
  const base = `${NETNS_PREFIX}${lab}.${instance}`;
  const ours = (n: string) =>
    n === base || (n.startsWith(`${base}.`) && !n.slice(base.length + 1).includes('.'));
  const link = `lab${instanceTag(lab, instance)}`;
  const processes = (names: string[]) =>
    pidsInNetns(names).map((pid) => ({ kind: 'process', name: String(pid) }));
  const namespaces = listNetns().filter(ours);
  return [
    ...processes(namespaces),
    ...namespaces.map((name) => ({ kind: 'namespace', name })),
    ...(linkExists(link) ? [{ kind: 'link', name: link }] : []),
    // the nodes' folders (a tmpfs each) stay mounted on the host whatever became of the state folder
    ...nodeFolderMounts()
      .filter((path) => ours(netnsOfNodeFolder(path) ?? ''))
      .map((name) => ({ kind: 'mount', name })),
  ];
}

/** Nodes whose namespace no longer exists. */
export function absentNodes(lab: string, instance: string, nodes: string[]): string[] {
  const present = new Set(listNetns());
  return nodes.filter((n) => !present.has(`${NETNS_PREFIX}${lab}.${instance}.${n}`));
}

/** `ip -o link` of one namespace: each link's name and flags; undefined when it cannot be read. */
async function linksOf(ns?: string): Promise<Map<string, string[]> | undefined> {
  const r = await runCommand('ip', [...(ns ? ['-n', ns] : []), '-o', 'link', 'show'], { timeoutMs: 5000 });
  if (r.exitCode !== 0) return undefined;
  const out = new Map<string, string[]>();
  for (const line of r.stdout.split('\n')) {
    const m = /^\d+:\s+([^:@\s]+)(?:@[^:]+)?:\s+<([^>]*)>/.exec(line);
    if (m) out.set(m[1], m[2].split(','));
  }
  return out;
}

/** Each node's interfaces (the lab's and mgmt0) present, up and with a carrier (a veth whose switch
 * end was deleted goes with it; one set down on the switch side leaves NO-CARRIER), and the root link. */
export async function linkProblems(
  lab: string,
  instance: string,
  nodes: { name: string; interfaces: string[] }[],
): Promise<{ node: string; problem: string }[]> {
  const base = `${NETNS_PREFIX}${lab}.${instance}`;
  const present = new Set(listNetns());
  const problems: { node: string; problem: string }[] = [];
  const link = `lab${instanceTag(lab, instance)}`;
  if (!linkExists(link))
    problems.push({
      node: 'host',
      problem: `the instance's root link ${link} is gone: no node is reachable`,
    });
  if (!present.has(base))
    problems.push({ node: 'switch', problem: `the switch namespace ${base} is gone: no lab network works` });
  const read = await Promise.all(
    nodes.map(async (n) => (present.has(`${base}.${n.name}`) ? linksOf(`${base}.${n.name}`) : undefined)),
  );
  nodes.forEach((n, i) => {
    const links = read[i];
    if (!links) return; // its namespace is gone: absentNodes says so
    for (const name of [...n.interfaces, 'mgmt0']) {
      const flags = links.get(name);
      if (!flags)
        problems.push({ node: n.name, problem: `interface ${name} is gone (its veth was deleted)` });
      else if (!flags.includes('UP')) problems.push({ node: n.name, problem: `interface ${name} is down` });
      else if (flags.includes('NO-CARRIER'))
        problems.push({
          node: n.name,
          problem: `interface ${name} has no carrier (its switch port is down)`,
        });
    }
  });
  return problems;
}
