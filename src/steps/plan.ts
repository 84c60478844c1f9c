// Which steps a run covers and which roles its nodes start at boot: a checkpoint is a rebuild, so the
// roles of every step up to it start at boot and the later ones wait for `lab step`.

import { resolve } from 'node:path';
import type { Check, Lab, Node, Step } from '../core/lab.js';
import { DefinitionError } from '../errors.js';

/** The steps `lab up` runs: every non-optional one, or those up to and including `to` (a name, or a
 * number: 1 is the first step, 0 the state before any). */
export function stepsThrough(lab: Lab, to?: string): Step[] {
  const regular = lab.steps.filter((s) => !s.optional);
  if (to === undefined) return regular;
  if (/^\d+$/.test(to) && Number(to) <= lab.steps.length) {
    if (!lab.steps.length)
      throw new DefinitionError(`${lab.name} has no steps: lab up ${lab.name} brings it up whole`);
    return Number(to) === 0 ? [] : stepsThrough(lab, lab.steps[Number(to) - 1].name);
  }
  const step = lab.steps.find((s) => s.name === to);
  if (!step) {
    throw new DefinitionError(
      lab.steps.length
        ? `${lab.name} has no step '${to}'; its steps are ${lab.steps.map((s) => s.name).join(', ')}`
        : `${lab.name} has no steps: lab up ${lab.name} brings it up whole`,
    );
  }
  const upTo = lab.steps.indexOf(step);
  // an optional step (a trap) is reached on purpose: the ones before it are not
  return lab.steps.filter((s, i) => i <= upTo && (!s.optional || s === step));
}

/** A node as its boot sees it: without the roles of steps that have not run yet. */
export function nodeAtBoot(lab: Lab, node: Node, done: Step[]): Node {
  const later = new Set(
    lab.steps
      .filter((s) => !done.includes(s))
      .flatMap((s) => s.roles.filter((r) => r.node === node.name).map((r) => r.role)),
  );
  return later.size ? { ...node, roles: node.roles.filter((r) => !later.has(r)) } : node;
}

/** The checks a run proves: all of them for a whole lab, those of the steps run for a checkpoint. */
export function checksOf(lab: Lab, steps: Step[], whole: boolean): Check[] {
  if (whole) return lab.checks;
  const names = new Set(steps.flatMap((s) => s.checks));
  return lab.checks.filter((c) => names.has(c.name));
}

/** The checks a trap breaks (one per node for a check on a group), in the step's order: the one it
 * is about first. */
export function brokenBy(lab: Lab, step: Step): Check[] {
  return step.breaks.flatMap((name) => lab.checks.filter((c) => c.name === name));
}

/** The steps of `lab up --to`, split: those proven first, and an optional step (a trap) named by
 * --to, which runs only once they are proven: it breaks what they built. */
export function splitTrap(steps: Step[]): { proven: Step[]; trap?: Step } {
  const trap = steps.find((s) => s.optional);
  return { proven: steps.filter((s) => s !== trap), trap };
}

/** The next step to run after `done` (optional ones only by name). */
export function nextStep(lab: Lab, done: string[], name?: string): Step | undefined {
  if (name !== undefined) {
    const step = lab.steps.find((s) => s.name === name);
    if (!step)
      throw new DefinitionError(
        `${lab.name} has no step '${name}'; its steps are ${lab.steps.map((s) => s.name).join(', ') || 'none'}`,
      );
    return step;
  }
  return lab.steps.find((s) => !s.optional && !done.includes(s.name));
}

/** A step's time limit when the lab file gives none (timeout: in seconds). */
export const DEFAULT_STEP_TIMEOUT_S = 300;

/** One step script: code from the lab's folder that runs on this host, as root, when its step runs. */
export interface HostCode {
  step: string;
  /** Relative to the lab's folder, as the lab file names it. */
  script: string;
  /** Its absolute path, to read before running the lab. */
  path: string;
  /** Seconds it may run. */
  timeout: number;
}

/** The lab's host code: every step script (lab lint and lab steps list them). */
export function hostCodeOf(lab: Lab): HostCode[] {
  return lab.steps.flatMap((s) =>
    s.script
      ? [
          {
            step: s.name,
            script: s.script,
            path: resolve(lab.dir, s.script),
            timeout: s.timeout ?? DEFAULT_STEP_TIMEOUT_S,
          },
        ]
      : [],
  );
}

/** The sentence that goes with them, as Vagrant says a Vagrantfile is Ruby. */
export function describeHostCode(code: HostCode[]): string[] {
  if (!code.length) return [];
  return [
    `host code: ${code.length === 1 ? 'this step script runs' : `these ${code.length} step scripts run`} on this host as root when ${code.length === 1 ? 'its step runs' : 'their steps run'} (lab up, lab step); run only labs whose steps you trust:`,
    ...code.map((c) => `  ${c.script} (step ${c.step}, at most ${c.timeout} s): ${c.path}`),
  ];
}
