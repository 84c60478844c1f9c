// Checks: every node a check's expectation names (peers, via, of, next_hop, originator) and every
// workload or block its command names must exist. A selector that matches nothing would make the judge
// fail for the wrong reason, or a typo pass unnoticed.

import type { Rule } from '../contracts/lint.js';
import { CHECK_COMMAND_ROOTS, isCommandTemplate, renderCheckCommand } from '../core/command-context.js';
import type { Issue, Path } from '../core/issue.js';
import { issue } from '../core/issue.js';
import { type Check, type Lab, selectNodes } from '../core/lab.js';
import { checkLabTemplate, LabTemplateError } from '../core/lab-template.js';
import type { Expectation } from '../core/schema.js';

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
  routes: (s) => [
    ['of', s.of],
    ['via', s.via],
  ],
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

const TEMPLATE_HINT: Record<string, string> = {
  'template-unsafe':
    "a lab file is data: its templates may look up the lab's own data (groups, workloads, blocks, clusters), compute, compare, loop and apply the filters listed; nothing else is evaluated, so the command would never run",
  'template-invalid': 'the command cannot be rendered and the check fails every try: fix the template',
};

/** The word (or the one character) of `text` at the 1-based line and column, and which occurrence
 * of it (from 0) that is: what the file is searched for, to point at it. */
function wordAt(text: string, line: number, column: number, token?: string): { text: string; nth: number } {
  const offset =
    text
      .split('\n')
      .slice(0, line - 1)
      .reduce((n, l) => n + l.length + 1, 0) +
    column -
    1;
  const word = token ?? /^(\w+|\S)/.exec(text.slice(offset))?.[0] ?? '';
  let nth = 0;
  for (let i = text.indexOf(word); word && i >= 0 && i < offset; i = text.indexOf(word, i + 1)) nth++;
  return { text: word, nth };
}

/** A check's command template goes through the whitelist (core/lab-template.ts): anything outside it
 * is refused here, at the place in the file, and never evaluated by up, check, --plan or render. */
function templateIssues(lab: Lab): Issue[] {
  return lab.raw.checks.flatMap((c, i) => {
    if (!isCommandTemplate(c.run)) return [];
    const { problems } = checkLabTemplate(c.run, CHECK_COMMAND_ROOTS);
    if (!problems.length) return renderIssues(lab, i);
    return problems.map((p) => {
      const where = c.run.includes('\n') ? `line ${p.line}, column ${p.column}` : `column ${p.column}`;
      return {
        ...issue(
          p.code,
          ['checks', i, 'run'],
          `check ${c.name}: its command's template (${where}): ${p.message}`,
          TEMPLATE_HINT[p.code],
        ),
        at: wordAt(c.run, p.line, p.column, p.token),
      };
    });
  });
}

/** A command the whitelist lets through is rendered here, as up would render it: what it reads is
 * the lab's own data, known now, so an error up would meet (a lookup of nothing, a value beyond its
 * limit) is said by lint, not after the lab was made (up then exited 2 with the lab left running). */
function renderIssues(lab: Lab, i: number): Issue[] {
  const raw = lab.raw.checks[i];
  const check = lab.checks.find((c) => c.name === raw.name);
  // a workload or block the lab lacks is said once, by referenceIssues
  if (check && referenceIssues(lab, check).length) return [];
  try {
    renderCheckCommand(raw.run, lab);
    return [];
  } catch (e) {
    if (!(e instanceof LabTemplateError)) throw e;
    return [
      issue(
        'template-invalid',
        ['checks', i, 'run'],
        `check ${raw.name}: its command's template: ${e.message.replace(/^lab template: /, '')}`,
        TEMPLATE_HINT['template-invalid'],
      ),
    ];
  }
}

export const checkRules: Rule = (lab) => [
  ...lab.checks.flatMap((c) => [...selectorIssues(lab, c), ...referenceIssues(lab, c)]),
  ...templateIssues(lab),
];
