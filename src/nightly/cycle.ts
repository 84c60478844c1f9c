// One nightly cycle of one lab: up (every check under its wait), a triage bundle on failure, down, and
// a leak check. Timings are the engine's own events, kept beside the report.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { labDown } from '../engine/down.js';
import { EventLog } from '../engine/events.js';
import { gatherHostFacts } from '../engine/host-facts.js';
import { instanceDir, readInstance } from '../engine/instances.js';
import { files } from '../engine/state.js';
import { labUp, type OpenedLab } from '../engine/up.js';
import { exitCodeOf, LabError } from '../errors.js';
import { makeFolderInside, writeInside } from '../host/output.js';
import type { CycleResult } from '../report/results.js';
import { REPORT_TARGET } from '../report/write.js';
import { runDeclaredFailures } from './failures.js';
import { findLeaks, snapshotForLeaks } from './leaks.js';
import { checksOf, failedSteps, phasesOf, readEvents, startOf } from './timeline.js';
import { takeTriage } from './triage.js';

export interface CycleInput {
  /** opened and linted once by the nightly's plan: up does not open the lab file again */
  opened: OpenedLab;
  file: string;
  sets: string[];
  instance: string;
  cycle: number;
  reportDir: string;
  signal?: AbortSignal;
}

// up's advice to look at the lab left running does not hold here: the cycle removes it
const messageOf = (e: unknown) =>
  [(e as Error).message, ...(e instanceof LabError ? e.details : [])]
    .filter((l) => !l.startsWith('The lab is left running'))
    .join('\n');

export async function runCycle(input: CycleInput): Promise<CycleResult> {
  const { instance, cycle, reportDir } = input;
  const { lab } = input.opened;
  const rel = join('labs', lab.name, `cycle-${cycle}`);
  const out = makeFolderInside(reportDir, rel, REPORT_TARGET);
  const dir = instanceDir(lab.name, instance);
  const started = Date.now();

  let up: CycleResult['up'];
  try {
    const r = await labUp(input.file, {
      set: input.sets,
      instance,
      signal: input.signal,
      renderer: 'silent',
      // the host as it is now picks the management prefix: other labs came and went since the plan
      opened: { ...input.opened, host: await gatherHostFacts() },
    });
    up = { ok: true, ms: r.ms, exitCode: 0 };
  } catch (e) {
    up = { ok: false, ms: Date.now() - started, exitCode: exitCodeOf(e), error: messageOf(e) };
  }
  // an instance this run did not create (one already up under the same name) is not ours to
  // look into or remove
  const found = readInstance(dir);
  const record =
    found?.ownerPid === process.pid && Date.parse(found.createdAt) >= started - 1000 ? found : undefined;
  // the instance's event log goes with its folder at down: keep it with the report
  const upEventsFile = join(out, 'up-events.jsonl');
  if (record && existsSync(files(dir).events))
    writeInside(reportDir, join(rel, 'up-events.jsonl'), readFileSync(files(dir).events), REPORT_TARGET);
  const upEvents = readEvents(upEventsFile);
  const runEnd = upEvents.find((e) => e.type === 'run-end');
  if (runEnd?.ms !== undefined) up.ms = runEnd.ms;
  const commandOf = (name: string) => lab.checks.find((c) => c.name === name)?.run ?? '';
  const checks = checksOf(upEvents, commandOf);

  // failures the lab declares as data, on the proven lab: each breaks what it says, and the lab recovers
  let declared: Awaited<ReturnType<typeof runDeclaredFailures>> = { failures: [] };
  if (up.ok && record)
    declared = await runDeclaredFailures(lab, record, input.signal).catch((e: Error) => ({
      failures: [
        { step: '(declared failures)', actions: [], ok: false, ms: 0, error: e.message, checks: [] },
      ],
    }));
  const declaredOk = declared.failures.every((f) => f.ok) && (declared.recovery?.ok ?? true);

  // a failed up leaves the lab running: look at it before it goes
  const triage =
    !up.ok && record
      ? await takeTriage({
          record,
          cycle,
          failedChecks: checks.filter((c) => !c.ok),
          failedSteps: failedSteps(upEvents),
          reportDir,
          bundleDir: join(rel, 'triage'),
        }).catch(() => [])
      : [];

  let down: CycleResult['down'] = { ok: true, ms: 0 };
  const snapshot = record ? snapshotForLeaks(record) : undefined;
  // a new file where an earlier run's was: the log appends to it, never through a link
  const downEventsFile = writeInside(reportDir, join(rel, 'down-events.jsonl'), '', REPORT_TARGET);
  try {
    if (record) {
      const r = await labDown(lab.name, instance, new EventLog(downEventsFile));
      down = { ok: true, ms: r.ms };
    }
  } catch (e) {
    down = { ok: false, ms: Date.now() - started, error: messageOf(e) };
  }
  const leaks = snapshot ? findLeaks(snapshot) : [];
  const origin = startOf(upEvents) ?? started;
  return {
    cycle,
    instance,
    ok: up.ok && down.ok && leaks.length === 0 && checks.every((c) => c.ok) && declaredOk,
    up,
    checks,
    down,
    leaks,
    phases: [...phasesOf(upEvents, origin), ...phasesOf(readEvents(downEventsFile), origin)],
    triage,
    failures: declared.failures,
    ...(declared.recovery ? { recovery: declared.recovery } : {}),
  };
}
