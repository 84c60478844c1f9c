// A nightly cycle's declared failures: once a lab is up and proven, each optional step whose effects
// are data (actions: a link down, a daemon stopped, a node cut off, and their repairs) runs in file
// order, as lab step runs it, proving the checks it breaks fail and the ones it keeps pass; then every
// check of the lab once more, under its waits: the lab recovered. A step's script is host code that a
// trap may use to break the lab for good: nightly runs only the failures a lab declares as data.
import type { Lab, Step } from '../core/lab.js';
import { type CheckOutcome, lastOutput, runChecksInOrder } from '../engine/checks.js';
import type { InstanceRecord } from '../engine/instances.js';
import { proveStep, runStepEffects } from '../engine/run-step.js';
import { openShells } from '../engine/shells.js';
import { journalOf } from '../engine/state.js';
import { outputTail } from '../printable.js';
import type { FailureCheck, FailureResult, RecoveryResult } from '../report/results.js';

/** The optional steps nightly runs: actions and nothing else (no roles to start, no script). */
export const declaredFailures = (lab: Lab): Step[] =>
  lab.steps.filter((s) => s.optional && s.actions?.length && !s.script && !s.roles.length);

const entry = (o: CheckOutcome, broken: boolean, ok: boolean): FailureCheck => ({
  name: o.check.name,
  node: o.check.node,
  broken,
  ok,
  ms: o.waitedMs,
  ...(o.verdict.ok
    ? o.verdict.detail
      ? { detail: outputTail(o.verdict.detail) }
      : {}
    : { reason: outputTail(o.verdict.reason) }),
  ...(ok ? {} : { output: lastOutput(o) }),
});

/** Runs the lab's declared failures on a live, proven instance; none declared: nothing runs. */
export async function runDeclaredFailures(
  lab: Lab,
  record: InstanceRecord,
  signal?: AbortSignal,
): Promise<{ failures: FailureResult[]; recovery?: RecoveryResult }> {
  const steps = declaredFailures(lab);
  if (!steps.length) return { failures: [] };
  const shells = await openShells(record);
  const shellOf = (n: string) => shells.get(n)!;
  const failures: FailureResult[] = [];
  try {
    for (const step of steps) {
      if (signal?.aborted) break;
      const started = Date.now();
      const actions = (step.actions ?? []).map((a) => a.text);
      try {
        // journalled as lab step does: a daemon started again is the one lab down stops
        await runStepEffects(lab, step, journalOf(record.dir), shellOf);
      } catch (e) {
        // the lab is not as the steps after this one expect it: they would prove nothing
        failures.push({
          step: step.name,
          actions,
          ok: false,
          ms: Date.now() - started,
          error: (e as Error).message,
          checks: [],
        });
        break;
      }
      const proofs = await proveStep(lab, step, shellOf, { signal });
      failures.push({
        step: step.name,
        actions,
        ok: proofs.every((p) => p.ok),
        ms: Date.now() - started,
        checks: proofs.map((p) => entry(p.outcome, p.broken, p.ok)),
      });
    }
    if (signal?.aborted) return { failures };
    const started = Date.now();
    const outcomes = await runChecksInOrder(lab, shellOf, { wait: true, signal });
    return {
      failures,
      recovery: {
        ok: outcomes.every((o) => o.verdict.ok),
        ms: Date.now() - started,
        checks: outcomes.map((o) => entry(o, false, o.verdict.ok)),
      },
    };
  } finally {
    for (const s of shells.values()) s.close();
  }
}
