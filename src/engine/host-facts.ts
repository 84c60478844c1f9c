// What lint needs to know of the host: its routes, other running labs, its resources.
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import type { HostFacts } from '../contracts/lint.js';
import { hostRoutes } from '../host/routes.js';
import { knownInstances } from './host-instances.js';

function memoryAvailableMb(): number | undefined {
  const m = /MemAvailable:\s+(\d+) kB/.exec(readFileSync('/proc/meminfo', 'utf8'));
  return m ? Math.floor(Number(m[1]) / 1024) : undefined;
}

/** gc_thresh3 of each family: one table per family, shared by every network namespace of the host. */
function neighbourLimit(): HostFacts['neighbourLimit'] {
  try {
    const read = (f: string) => Number(readFileSync(`/proc/sys/net/${f}/neigh/default/gc_thresh3`, 'utf8'));
    return { ipv4: read('ipv4'), ipv6: read('ipv6') };
  } catch {
    return undefined;
  }
}

export async function gatherHostFacts(): Promise<HostFacts> {
  const others = knownInstances().filter((i) => i.managementPrefix);
  return {
    // other labs' links route their management prefixes: those are reported as running labs instead
    routes: await hostRoutes(others.flatMap((o) => (o.link ? [o.link] : []))),
    otherLabs: others.map((o) => ({ instance: o.id, prefix: o.managementPrefix! })),
    cpus: availableParallelism(),
    memoryMb: memoryAvailableMb(),
    neighbourLimit: neighbourLimit(),
  };
}
