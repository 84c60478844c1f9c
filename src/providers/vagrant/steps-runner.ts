// Runs the provisioning steps over SSH: phase by phase, the steps of a phase on their nodes in
// parallel. A step is a script put on the node and run as root (sudo when the user is not root).
// The minimal interface a node needs (exec, putFile) is the transport's NodeShell, so that the
// workshops' zx steps can drive the same nodes.

import type { VmStep } from '../../contracts/vm.js';
import { ExecutionError } from '../../errors.js';
import { shellQuote } from '../../shell-quote.js';
import type { NodeShell } from '../../transport/shell.js';
import { stepFile } from './plan.js';
import { VM_PHASES } from './steps/phases.js';

export interface RunnerOptions {
  /** user per node: root runs scripts directly, others through sudo -n */
  users: Map<string, string>;
  /** Extra PATH entries on the nodes, first (tests put recording fakes of apt-get, kubeadm... there). */
  guestPath?: string;
  onStep?: (step: VmStep, state: 'start' | 'done', ms?: number) => void;
}

function asRoot(user: string, command: string, guestPath?: string): string {
  const path = guestPath ? `PATH=${shellQuote(guestPath)}:"$PATH" ` : '';
  return user === 'root' ? `${path}${command}` : `sudo -n env ${path}${command}`;
}

async function copyInput(
  shells: Map<string, NodeShell>,
  users: Map<string, string>,
  step: VmStep,
  input: NonNullable<VmStep['inputs']>[number],
) {
  const from = shells.get(input.from.node)!;
  const read = await from.exec(asRoot(users.get(input.from.node)!, `cat ${shellQuote(input.from.path)}`), {
    timeoutMs: 30_000,
  });
  if (read.exitCode !== 0)
    throw new ExecutionError(
      `${step.node}: ${step.title}: cannot read ${input.from.node}:${input.from.path}: ${read.stderr.trim()}`,
    );
  const to = shells.get(step.node)!;
  const tmp = `/tmp/lab-input-${step.node}-${step.phase}-${input.path.replaceAll('/', '_')}`;
  await to.putFile(tmp, read.stdout, 0o600);
  const put = await to.exec(
    asRoot(
      users.get(step.node)!,
      `install -D -m 0600 ${shellQuote(tmp)} ${shellQuote(input.path)} && rm -f ${shellQuote(tmp)}`,
    ),
  );
  if (put.exitCode !== 0)
    throw new ExecutionError(`${step.node}: cannot install ${input.path}: ${put.stderr.trim()}`);
}

async function runStep(
  shells: Map<string, NodeShell>,
  steps: VmStep[],
  step: VmStep,
  o: RunnerOptions,
): Promise<void> {
  const shell = shells.get(step.node);
  if (!shell) throw new ExecutionError(`${step.node}: no SSH connection for step ${step.title}`);
  for (const input of step.inputs ?? []) await copyInput(shells, o.users, step, input);
  // named by node too: nodes that share a /tmp (emulated ones in tests) must not overwrite each other
  const remote = `/tmp/lab-step-${step.phase}-${step.node}.sh`;
  await shell.putFile(remote, step.script, 0o700);
  const run = asRoot(o.users.get(step.node)!, `bash ${remote}`, o.guestPath);
  const r = await shell.exec(`${run}; rc=$?; rm -f ${remote}; exit $rc`, {
    timeoutMs: step.timeoutS * 1000,
  });
  if (r.exitCode !== 0) {
    const tail = (r.stderr || r.stdout).trim().split('\n').slice(-6).join('\n  ');
    throw new ExecutionError(
      `${step.node}: step ${step.phase} (${step.title}) ${r.timedOut ? `timed out after ${step.timeoutS} s` : `exited with ${r.exitCode}`}`,
      {
        details: [
          ...(tail ? [`  ${tail}`] : []),
          `The script is ${stepFile(step, steps)} in the project folder.`,
        ],
      },
    );
  }
}

export async function runSteps(
  shells: Map<string, NodeShell>,
  steps: VmStep[],
  o: RunnerOptions,
): Promise<void> {
  for (const phase of VM_PHASES) {
    const now = steps.filter((s) => s.phase === phase);
    const results = await Promise.allSettled(
      now.map(async (s) => {
        const started = Date.now();
        o.onStep?.(s, 'start');
        await runStep(shells, steps, s, o);
        o.onStep?.(s, 'done', Date.now() - started);
      }),
    );
    // every step of the phase settles first: the report names all that failed
    const failed = results.flatMap((r) => (r.status === 'rejected' ? [r.reason as Error] : []));
    if (failed.length === 1) throw failed[0];
    if (failed.length)
      throw new ExecutionError(`${failed.length} steps of phase ${phase} failed`, {
        details: failed.flatMap((e) => [`  ${e.message}`, ...((e as ExecutionError).details ?? [])]),
      });
  }
}
