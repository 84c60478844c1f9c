// The history file (JSON lines, one run each) and regressions: a phase markedly slower than the
// median of the recent runs, judged with named thresholds that the output and the report state.

import { readJsonLines } from '../host/json-lines.js';
import { appendOutputFile, type OutputTarget } from '../host/output.js';
import type { LabResult, NightlyResults, Regression } from './results.js';
import { RESULTS_SCHEMA } from './results.js';

/** Slower than this many times the recent median ... */
export const REGRESSION_RATIO = 1.5;
/** ... and by at least this much (a 20 ms phase taking 40 ms is noise, not a regression) ... */
export const REGRESSION_MIN_EXTRA_MS = 200;
/** ... over the median of this many most recent runs of the lab ... */
export const HISTORY_WINDOW = 7;
/** ... once there are at least this many. */
export const HISTORY_MIN_RUNS = 3;

export const THRESHOLDS = {
  ratio: REGRESSION_RATIO,
  minExtraMs: REGRESSION_MIN_EXTRA_MS,
  window: HISTORY_WINDOW,
};

export function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/** A lab's phases in one run, each the median over its passed cycles: up, down, network, nodes, check:NAME. */
export function phaseTimes(lab: LabResult): Record<string, number> {
  const cycles = lab.cycles.filter((c) => c.ok);
  const per: Record<string, number[]> = {};
  const add = (k: string, ms: number) => {
    per[k] ??= [];
    per[k].push(ms);
  };
  for (const c of cycles) {
    add('up', c.up.ms);
    add('down', c.down.ms);
    for (const p of c.phases.filter((p) => p.kind === 'network')) add('network', p.ms);
    const nodePhases = c.phases.filter((p) => ['boot', 'ssh', 'roles'].includes(p.kind));
    if (nodePhases.length) {
      const start = Math.min(...nodePhases.map((p) => p.startMs));
      add('nodes', Math.max(...nodePhases.map((p) => p.startMs + p.ms)) - start);
    }
    for (const ch of c.checks) add(`check:${ch.name}`, ch.waitedMs);
  }
  return Object.fromEntries(Object.entries(per).map(([k, v]) => [k, median(v)]));
}

/** Past runs, oldest first; lines that are not results of this schema are passed over. */
export function readHistory(file: string): NightlyResults[] {
  return (readJsonLines(file) as NightlyResults[]).filter((r) => r?.schema === RESULTS_SCHEMA);
}

export function findRegressions(current: NightlyResults, history: NightlyResults[]): Regression[] {
  const regressions: Regression[] = [];
  for (const lab of current.labs.filter((l) => l.status === 'passed')) {
    const past = history
      .flatMap((r) => r.labs.filter((l) => l.lab === lab.lab && l.status === 'passed'))
      .slice(-HISTORY_WINDOW)
      .map(phaseTimes);
    if (past.length < HISTORY_MIN_RUNS) continue;
    for (const [phase, ms] of Object.entries(phaseTimes(lab))) {
      const values = past.flatMap((p) => (p[phase] === undefined ? [] : [p[phase]]));
      if (values.length < HISTORY_MIN_RUNS) continue;
      const m = median(values);
      if (ms > m * REGRESSION_RATIO && ms - m >= REGRESSION_MIN_EXTRA_MS)
        regressions.push({
          lab: lab.lab,
          phase,
          ms,
          medianMs: m,
          ratio: m ? ms / m : Number.POSITIVE_INFINITY,
        });
    }
  }
  return regressions;
}

/** The history file as `lab nightly --history` names it (host/output.ts claims it before the run). */
export const HISTORY_TARGET: OutputTarget = { what: 'the nightly history into', flag: '--history' };

/** One line per run; the topology pictures stay in the report, not in the history. */
export function appendHistory(file: string, results: NightlyResults): void {
  const slim = { ...results, labs: results.labs.map(({ topology: _, ...l }) => l) };
  appendOutputFile(file, `${JSON.stringify(slim)}\n`, HISTORY_TARGET);
}
