// The lint contract: a rule is a pure function of the lab and the host facts. lint/ and each add-on's
// lint.ts implement it; lint/index.ts runs them.
import type { Issue, Path } from '../core/issue.js';
import type { Lab } from '../core/lab.js';

/** What lint knows of the host; gathered by the caller, so rules stay pure. */
export interface HostFacts {
  /** Prefixes routed in the root namespace (not the default route). */
  routes: string[];
  /** Management prefixes of other running lab instances, by instance. */
  otherLabs: { instance: string; prefix: string }[];
  cpus?: number;
  memoryMb?: number;
  /** The kernel's most neighbour (ARP, NDP) entries, for all namespaces together (gc_thresh3). */
  neighbourLimit?: { ipv4: number; ipv6: number };
}

/** What lint knows of where the lab runs: its provider's line in providers/index.ts says it, so that
 * no rule compares the provider's name. */
export interface RunsOn {
  /** Its nodes are namespaces of this host's kernel: the kernel's limits and modules are the lab's. */
  hostKernel: boolean;
}

export type Rule = (lab: Lab, host: HostFacts, runsOn: RunsOn) => Issue[];

export interface Space {
  prefix: string;
  what: string;
  kind: 'network' | 'pod' | 'service' | 'fabric' | 'lb-pool' | 'pod-pool' | 'management' | 'host';
  /** A cluster's own spaces may nest (its Calico pools inside its pod subnet). */
  cluster?: string;
  path: Path;
}
