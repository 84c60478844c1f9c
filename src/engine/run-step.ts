// Running a step on a live instance: start the roles it names on their nodes (each node's commands in
// one script over its SSH connection, journalled for teardown), then its zx script.

import type { Lab, Step } from '../core/lab.js';
import { nodeByName } from '../core/lab.js';
import { runStepScript } from '../steps/api.js';
import { brokenBy } from '../steps/plan.js';
import type { SshShell } from '../transport/ssh.js';
import { type CheckOutcome, commandShown, describeFailure, waitForCheck, waitForFailure } from './checks.js';
import type { Journal } from './journal.js';
import { completeStart, recordStart, startCommandsOf, startScript } from './start-roles.js';
import { runStepActions } from './step-actions.js';

/** Starts the step's roles, node by node in parallel; a failure names the step, node and command. */
export async function startStepRoles(
  lab: Lab,
  step: Step,
  journal: Journal,
  shellOf: (node: string) => SshShell,
): Promise<void> {
  const byNode = new Map<string, string[]>();
  for (const { node, role } of step.roles) byNode.set(node, [...(byNode.get(node) ?? []), role]);
  const results = await Promise.allSettled(
    [...byNode].map(async ([name, roles]) => {
      const node = nodeByName(lab, name)!;
      // in the node's role order: a role may rely on one listed before it
      const commands = startCommandsOf(lab, { ...node, roles: node.roles.filter((r) => roles.includes(r)) });
      if (!commands.length) return;
      recordStart(journal, name, commands);
      const result = await shellOf(name).exec(startScript(commands), { timeoutMs: 30_000 });
      await completeStart(journal, name, commands, result);
    }),
  );
  const failed = results.flatMap((r) => (r.status === 'rejected' ? [(r.reason as Error).message] : []));
  if (failed.length) throw new Error(`step ${step.name}: ${failed.join('; ')}`);
}

/** Roles, then actions (failures and repairs), then script. */
export async function runStepEffects(
  lab: Lab,
  step: Step,
  journal: Journal,
  shellOf: (node: string) => SshShell,
  log?: (line: string) => void,
): Promise<void> {
  await startStepRoles(lab, step, journal, shellOf);
  await runStepActions(lab, step, { journal, shellOf, log });
  await runStepScript(lab, step, shellOf, log);
}

/** A step's proof: each of its checks passed, and each check it breaks (a trap) failed. */
export interface StepProof {
  outcome: CheckOutcome;
  /** A check the step breaks on purpose: it must fail. */
  broken: boolean;
  /** As the step means: a check passed, a broken one failed. */
  ok: boolean;
}

/** Its checks under their waits, in the lab's order, then the ones it breaks until they fail (after a
 * miss, the rest get one try each, as lab up does). */
export async function proveStep(
  lab: Lab,
  step: Step,
  shellOf: (node: string) => SshShell,
  opts: { signal?: AbortSignal; onProof?: (p: StepProof) => void } = {},
): Promise<StepProof[]> {
  const proofs: StepProof[] = [];
  const oneTry = () => (proofs.some((p) => !p.ok) ? { timeoutMs: 0 } : {});
  const add = (p: StepProof) => {
    proofs.push(p);
    opts.onProof?.(p);
  };
  for (const check of lab.checks.filter((c) => step.checks.includes(c.name))) {
    const o = await waitForCheck(lab, check, shellOf(check.node), { signal: opts.signal, ...oneTry() });
    add({ outcome: o, broken: false, ok: o.verdict.ok });
  }
  for (const check of brokenBy(lab, step)) {
    const o = await waitForFailure(lab, check, shellOf(check.node), { signal: opts.signal, ...oneTry() });
    add({ outcome: o, broken: true, ok: !o.verdict.ok });
  }
  return proofs;
}

/** One line per proof, as `lab step` and `lab up --to` print them. */
export function describeProof({ outcome: o, broken, ok }: StepProof): string {
  const where = `${o.check.name} on ${o.check.node}`;
  const secs = `${(o.waitedMs / 1000).toFixed(2)} s`;
  if (broken)
    return ok
      ? `✖ ${where}: fails, as this step means it to: ${o.verdict.ok ? '' : o.verdict.reason}`
      : `✔ ${where}: still passes after ${secs}: the step did not break it`;
  return o.verdict.ok
    ? `✔ ${where}: passed in ${secs}${o.verdict.detail ? `: ${o.verdict.detail}` : ''}`
    : `✖ ${where}: ${o.verdict.reason}`;
}

/** The details of a proof that went against the step. */
export function describeMiss(p: StepProof): string[] {
  if (!p.broken) return describeFailure(p.outcome);
  const o = p.outcome;
  return [
    `check ${o.check.name} on ${o.check.node} still passes ${(o.waitedMs / 1000).toFixed(1)} s after the step that should break it (${o.attempts} attempts)`,
    `  command: ${commandShown(o)}`,
  ];
}
