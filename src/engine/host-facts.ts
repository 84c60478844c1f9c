// What lint needs to know of the host: its routes, other running labs, its resources.
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import type { HostFacts } from '../contracts/lint.js';
import { mustRun } from '../host/command.js';
import { knownInstances } from './host-instances.js';

/** Prefixes routed in the root namespace, except the default route and the links in `ignoreLinks`. */
export async function hostRoutes(ignoreLinks: string[] = []): Promise<string[]> {
  const { stdout } = await mustRun('ip', ['-j', '-4', 'route', 'show', 'table', 'main']);
  const routes = JSON.parse(stdout || '[]') as { dst: string; dev?: string }[];
  return routes
    .filter((r) => r.dst !== 'default' && !ignoreLinks.includes(r.dev ?? ''))
    .map((r) => (r.dst.includes('/') ? r.dst : `${r.dst}/32`));
}

function memoryAvailableMb(): number | undefined {
  const m = /MemAvailable:\s+(\d+) kB/.exec(readFileSync('/proc/meminfo', 'utf8'));
  return m ? Math.floor(Number(m[1]) / 1024) : undefined;
}

export async function gatherHostFacts(): Promise<HostFacts> {
  const others = knownInstances().filter((i) => i.managementPrefix);
  return {
    // other labs' links route their management prefixes: those are reported as running labs instead
    routes: await hostRoutes(others.flatMap((o) => (o.link ? [o.link] : []))),
    otherLabs: others.map((o) => ({ instance: o.id, prefix: o.managementPrefix! })),
    cpus: availableParallelism(),
    memoryMb: memoryAvailableMb(),
  };
}
