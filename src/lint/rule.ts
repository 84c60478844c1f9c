// What a lint rule sees and returns: a pure function of the lab and the host facts.
import type { Issue, Path, Severity } from '../model/issue.js';
import type { Lab } from '../model/lab.js';

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

export function issue(
  code: string,
  path: Path,
  message: string,
  hint: string,
  severity: Severity = 'error',
): Issue {
  return { code, severity, path, message, hint };
}
