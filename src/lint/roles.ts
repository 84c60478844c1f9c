// Every role a node names must exist (the message lists the known ones), and every var it sets must be
// read by one of its roles (vars also reach the Ansible inventory, so an unread one is a warning).

import type { Rule } from '../contracts/lint.js';
import type { Issue } from '../core/issue.js';
import { issue } from '../core/issue.js';
import { ROLES, roleOf } from '../roles/index.js';

/** Vars that used to mean something: setting them is an error that says where the setting lives now. */
const RETIRED: Record<string, string> = {
  speaker:
    "the daemon playing MetalLB's speaker is the cluster's addons.metallb.speaker (native: BIRD, frr: FRR), which lint and the emulation both read",
};

const unknownRoles: Rule = (lab) =>
  Object.entries(lab.raw.nodes).flatMap(([name, def]) =>
    def.roles
      .map((role, i) => ({ role, i }))
      .filter(({ role }) => !roleOf(role))
      .map(({ role, i }) =>
        issue(
          'unknown-role',
          ['nodes', name, 'roles', i],
          `node ${name} has the unknown role '${role}'`,
          `nothing would run there; known roles: ${Object.keys(ROLES).join(', ')}`,
        ),
      ),
  );

const unreadVars: Rule = (lab) =>
  Object.entries(lab.raw.nodes).flatMap(([name, def]) => {
    const read = new Set(def.roles.flatMap((r) => ROLES[r]?.vars ?? []));
    return Object.keys(def.vars)
      .filter((v) => !read.has(v))
      .map(
        (v): Issue =>
          RETIRED[v]
            ? issue(
                'var-unknown',
                ['nodes', name, 'vars', v],
                `node ${name} sets vars.${v}, which no role reads any more`,
                `it would be ignored: ${RETIRED[v]}`,
              )
            : issue(
                'var-unknown',
                ['nodes', name, 'vars', v],
                `no role of node ${name} reads vars.${v}`,
                `it changes nothing on the node (it only reaches the Ansible inventory); its roles read: ${[...read].join(', ') || 'no vars'}`,
                'warning',
              ),
      );
  });

export const roleRules: Rule = (lab, host, runsOn) => [
  ...unknownRoles(lab, host, runsOn),
  ...unreadVars(lab, host, runsOn),
];
