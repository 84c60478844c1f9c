// Load, resolve and lint in one call: what every command that reads a lab does first.

import { hasErrors, type Issue } from '../core/issue.js';
import type { Lab } from '../core/lab.js';
import { allowedErrors } from '../lint/allow.js';
import { type HostFacts, lintLab, NO_HOST } from '../lint/index.js';
import { LabDefinitionError, type LoadedLab, loadLab } from './load.js';
import { resolveLab } from './resolve.js';

export interface Opened {
  lab: Lab;
  issues: Issue[];
}

/** Adds file, line and column to each issue. */
function locateIssues(issues: Issue[], loaded: LoadedLab): Issue[] {
  return issues.map((i) => ({ ...i, file: loaded.file, ...(i.line ? {} : loaded.locate(i.path, i.at)) }));
}

/** Every issue of the lab file (load, resolve, lint), located; throws only on load errors. */
export function inspectLab(file: string, sets: string[] = [], host: HostFacts = NO_HOST): Opened {
  const loaded = loadLab(file, sets);
  const { lab, issues } = resolveLab(loaded);
  // a lab too large to resolve is not linted: its rules would report every missing node
  const tooLarge = issues.some((i) => i.code === 'lab-too-large');
  return { lab, issues: locateIssues([...issues, ...(tooLarge ? [] : lintLab(lab, host))], loaded) };
}

/** The lab, or a definition error listing every problem: nothing is created from a broken lab.
 * Errors whose code is in `allow` (lab up --allow) do not stop it: they come back in `allowed`. */
export function openLab(
  file: string,
  sets: string[] = [],
  host: HostFacts = NO_HOST,
  allow: string[] = [],
): Opened & { allowed: Issue[] } {
  const opened = inspectLab(file, sets, host);
  const blocking = opened.issues.filter((i) => i.severity === 'error' && !allow.includes(i.code));
  if (hasErrors(blocking)) throw new LabDefinitionError(file, blocking);
  return { ...opened, allowed: allowedErrors(opened.issues, allow) };
}
