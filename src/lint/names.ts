// Names end up in hostnames, file names, BIRD protocols and interface names: keep them safe and short.

import type { Rule } from '../contracts/lint.js';
import type { Path } from '../core/issue.js';
import { issue } from '../core/issue.js';
import { SAFE_NAME } from '../names.js';

export const MAX_NAME = 32;
/** Linux interface names are at most 15 characters (IFNAMSIZ - 1). */
export const MAX_IFNAME = 15;

function checkName(kind: string, name: string, path: Path, max = MAX_NAME) {
  const out = [];
  if (!SAFE_NAME.test(name)) {
    out.push(
      issue(
        'name-unsafe',
        path,
        `${kind} name '${name}' is not of the form [a-z][a-z0-9-]*`,
        'names become hostnames, file names and command arguments: use lowercase letters, digits and dashes',
      ),
    );
  }
  if (name.length > max) {
    out.push(
      issue(
        'name-too-long',
        path,
        `${kind} name '${name}' has ${name.length} characters, more than ${max}`,
        `it would be cut or rejected where it is used (${kind === 'interface' ? 'the kernel limits interface names to 15 characters' : 'hostnames, state folders'}): shorten it`,
      ),
    );
  }
  return out;
}

export const nameRules: Rule = (lab) => {
  const out = [...checkName('lab', lab.name, ['name'])];
  // a link's /31s are named after it (fabric-1, fabric-2, ...): its name is checked once, not per /31
  for (const net of lab.networks) if (!net.link) out.push(...checkName('network', net.name, net.path));
  for (const name of Object.keys(lab.raw.links)) out.push(...checkName('link', name, ['links', name]));
  for (const c of lab.clusters) out.push(...checkName('cluster', c.name, c.path));
  const seen = new Map<string, string>();
  for (const node of lab.nodes) {
    out.push(...checkName('node', node.name, node.path));
    const previous = seen.get(node.name);
    if (previous) {
      out.push(
        issue(
          'name-duplicate',
          node.path,
          `two nodes are named ${node.name} (${previous} and ${node.group ? `group ${node.group}` : 'a node'})`,
          'one would replace the other: rename the node or the group',
        ),
      );
    } else seen.set(node.name, node.group ? `group ${node.group}` : 'a node');
    for (const ifc of node.interfaces)
      out.push(...checkName('interface', ifc.name, ifc.path.slice(0, -1), MAX_IFNAME));
  }
  const workloads = new Set<string>();
  for (const w of lab.workloads) {
    out.push(...checkName('workload', w.name, [...w.path, 'name']));
    if (workloads.has(`${w.node}/${w.name}`))
      out.push(
        issue(
          'name-duplicate',
          [...w.path, 'name'],
          `two workloads on ${w.node} are named ${w.name}`,
          'the second cannot be created: its namespace exists',
        ),
      );
    workloads.add(`${w.node}/${w.name}`);
    if (w.serve && !/^[A-Za-z0-9 ._:,/-]*$/.test(w.serve)) {
      out.push(
        issue(
          'workload-answer',
          [...w.path, 'serve'],
          `workload ${w.name} answers '${w.serve}', which has characters other than letters, digits, spaces and ._:,/-`,
          'the answer goes into a web server configuration: keep it plain',
        ),
      );
    }
  }
  const checks = new Set<string>();
  // the file's checks: one on a group resolves to a check per member, under its one name
  lab.raw.checks.forEach((c, i) => {
    // a check's name is printed, put in reports and given to `lab check NAME`: the one rule for names
    out.push(...checkName('check', c.name, ['checks', i, 'name']));
    if (checks.has(c.name))
      out.push(
        issue(
          'name-duplicate',
          ['checks', i, 'name'],
          `two checks are named ${c.name}`,
          'failures would be ambiguous: rename one',
        ),
      );
    checks.add(c.name);
  });
  // a step's name is a command argument (`lab step LAB NAME`, `--to NAME`) and names its script
  lab.raw.steps.forEach((s, i) => {
    out.push(...checkName('step', s.name, ['steps', i, 'name']));
  });
  return out;
};
