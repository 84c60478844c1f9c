// Which steps a run covers and which roles its nodes start at boot: a checkpoint is a rebuild, so the
// roles of every step up to it start at boot and the later ones wait for `lab step`.

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
