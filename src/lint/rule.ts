// What a lint rule sees and returns: a pure function of the lab and the host facts.
import type { Issue } from '../core/issue.js';
import type { Lab } from '../core/lab.js';

export { issue } from '../core/issue.js';

/** What lint knows of the host; gathered by the caller, so rules stay pure. */
export interface HostFacts {
  /** Prefixes routed in the root namespace (not the default route). */
  routes: string[];
  /** Management prefixes of other running lab instances, by instance. */
  otherLabs: { instance: string; prefix: string }[];
  cpus?: number;
  memoryMb?: number;
}

export type Rule = (lab: Lab, host: HostFacts) => Issue[];
