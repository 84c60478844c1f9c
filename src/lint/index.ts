// Lint: every rule over the resolved lab, every issue at once, located in the file.

import { ADDONS } from '../addons/index.js';
import type { HostFacts, Rule } from '../contracts/lint.js';
import type { Issue } from '../core/issue.js';
import type { Lab } from '../core/lab.js';
import { runsOn } from '../providers/index.js';
import { addressRules } from './addresses.js';
import { bgpRules } from './bgp.js';
import { checkRules } from './checks.js';
import { clusterRules } from './clusters.js';
import { familyRules } from './families.js';
import { nameRules } from './names.js';
import { nodeRules } from './nodes.js';
import { overlapRules } from './overlaps.js';
import { policyDropRules } from './policy-drops.js';
import { requirementRules } from './requirements.js';
import { roleRules } from './roles.js';
import { routingRules } from './routing.js';
import { versionRules } from './versions.js';

export type { HostFacts } from '../contracts/lint.js';

const RULES: Rule[] = [
  nameRules,
  roleRules,
  addressRules,
  familyRules,
  nodeRules,
  overlapRules,
  bgpRules,
  routingRules,
  policyDropRules,
  ...ADDONS.flatMap((a) => (a.lint ? [a.lint] : [])),
  clusterRules,
  versionRules,
  checkRules,
  requirementRules,
];

/** Facts for linting without looking at the host (render, tests). */
export const NO_HOST: HostFacts = { routes: [], otherLabs: [] };

export function lintLab(lab: Lab, host: HostFacts = NO_HOST): Issue[] {
  const where = runsOn(lab.provider);
  return RULES.flatMap((rule) => rule(lab, host, where));
}
