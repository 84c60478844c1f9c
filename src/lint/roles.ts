// Every role a node names must exist; the message lists the known ones.
import { ROLES } from '../roles/index.js';
import { issue, type Rule } from './rule.js';

export const roleRules: Rule = (lab) =>
  Object.entries(lab.raw.nodes).flatMap(([name, def]) =>
    def.roles
      .map((role, i) => ({ role, i }))
      .filter(({ role }) => !ROLES[role])
      .map(({ role, i }) =>
        issue(
          'unknown-role',
          ['nodes', name, 'roles', i],
          `node ${name} has the unknown role '${role}'`,
          `nothing would run there; known roles: ${Object.keys(ROLES).join(', ')}`,
        ),
      ),
  );
