// Checks: every node a check's expectation names (peers, via, of, next_hop, originator) and every
// workload or block its command names must exist. A selector that matches nothing would make the judge
// fail for the wrong reason, or a typo pass unnoticed.
import type { Issue, Path } from '../core/issue.js';
import { type Check, type Lab, selectNodes } from '../core/lab.js';
import type { Expectation } from '../model/schema.js';
import { issue, type Rule } from './rule.js';

type Kind = keyof Expectation;
type Selectors<K extends Kind> = (
  spec: NonNullable<Expectation[K]>,
) => [string, string | string[] | undefined][];

/** The node selectors inside each kind of expectation, by key: a new kind does not build without its entry. */
const SELECTORS: { [K in Kind]-?: Selectors<K> } = {
  match: () => [],
  contains: () => [],
  lines: () => [],
  distinct: (s) => [['of', s.of]],
  answers: () => [],
  bgp_established: (s) => [['peers', s.peers]],
  nexthops: (s) => [['via', s.via]],
  blocks: (s) => [['of', s.of]],
  bgp_route: (s) => [
    ['next_hop', s.next_hop],
    ['originator', s.originator],
  ],
  ospf_full: (s) => [['peers', s.peers]],
  bfd_up: (s) => [['peers', s.peers]],
};

function selectorIssues(lab: Lab, check: Check): Issue[] {
  const out: Issue[] = [];
  for (const kind of Object.keys(SELECTORS) as Kind[]) {
    const spec = check.expect[kind];
    if (spec === undefined) continue;
    for (const [key, value] of (SELECTORS[kind] as Selectors<Kind>)(spec as never)) {
      if (value === undefined) continue;
      const many = Array.isArray(value);
      [value].flat().forEach((sel, i) => {
        const path: Path = [...check.path, 'expect', kind, key, ...(many ? [i] : [])];
        const nodes = selectNodes(lab, sel);
        if (!nodes.length)
          out.push(
            issue(
              'unknown-reference',
              path,
              `check ${check.name}: '${sel}' is no node, group or cluster`,
              `the check judges nothing there and fails (or a typo hides what it should see): nodes are ${lab.nodes.map((n) => n.name).join(', ')}`,
            ),
          );
        else if (nodes.every((n) => n.name === check.node) && key !== 'next_hop' && key !== 'originator')
          out.push(
            issue(
              'unknown-reference',
              path,
              `check ${check.name}: '${sel}' selects only ${check.node}, the node the check runs on`,
              'a node has no session or route to itself: the check can never pass; name its peers',
            ),
          );
      });
    }
  }
  return out;
}

/** {{ workloads.NAME... }}, {{ workloads['NAME'] }} and {{ blocks['NODE'] }} in a check's command. */
function referenceIssues(lab: Lab, check: Check): Issue[] {
  const out: Issue[] = [];
  const workloads = new Set(lab.workloads.map((w) => w.name));
  const refs = [
    ...[...check.run.matchAll(/workloads(?:\.([A-Za-z_][\w-]*)|\[\s*['"]([^'"]+)['"]\s*\])/g)].map((m) => ({
      kind: 'workload',
      name: m[1] ?? m[2],
      known: workloads.has(m[1] ?? m[2]),
    })),
    ...[...check.run.matchAll(/blocks\[\s*['"]([^'"]+)['"]\s*\]/g)].map((m) => ({
      kind: 'block of node',
      name: m[1],
      known: m[1] in lab.blocks,
    })),
  ];
  for (const r of refs.filter((x) => !x.known))
    out.push(
      issue(
        'unknown-reference',
        [...check.path, 'run'],
        `check ${check.name}: its command names the ${r.kind} '${r.name}', which the lab does not have`,
        `the command cannot be rendered and the check fails every try: ${r.kind === 'workload' ? `workloads are ${[...workloads].join(', ') || 'none'}` : `nodes with blocks are ${Object.keys(lab.blocks).join(', ') || 'none'}`}`,
      ),
    );
  return out;
}

export const checkRules: Rule = (lab) =>
  lab.checks.flatMap((c) => [...selectorIssues(lab, c), ...referenceIssues(lab, c)]);
