// Running a step on a live instance: start the roles it names on their nodes (each node's commands in
// one script over its SSH connection, journalled for teardown), then its zx script.

import type { Lab, Step } from '../core/lab.js';
import { nodeByName } from '../core/lab.js';
import { runStepScript } from '../steps/api.js';
import type { SshShell } from '../transport/ssh.js';
import type { Journal } from './journal.js';
import { completeStart, recordStart, startCommandsOf, startScript } from './start-roles.js';

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

/** Roles, then script. */
export async function runStepEffects(
  lab: Lab,
  step: Step,
  journal: Journal,
  shellOf: (node: string) => SshShell,
  log?: (line: string) => void,
): Promise<void> {
  await startStepRoles(lab, step, journal, shellOf);
  await runStepScript(lab, step, shellOf, log);
}
