// Writes a nightly run's reports into one folder: results.json, junit.xml, report.html; and appends
// the run to the history, after comparing it with the history's recent runs.
import { type OutputTarget, writeInside } from '../host/output.js';
import { outputTail } from '../printable.js';
import { appendHistory, findRegressions, readHistory, THRESHOLDS } from './history.js';
import { toHtml } from './html.js';
import { toJUnit } from './junit.js';
import type { CycleResult, NightlyResults } from './results.js';

export const REPORT_FILES = { json: 'results.json', junit: 'junit.xml', html: 'report.html' } as const;

/** Every text a node or a failure gave, as its last 64 KiB saying how much was cut: ten megabytes of
 * check output would otherwise be copied whole into each report and every line of the history. */
export function boundOutputs(results: NightlyResults): NightlyResults {
  const tail = (s: string | undefined) => (s === undefined ? s : outputTail(s));
  const cycle = (c: CycleResult): CycleResult => ({
    ...c,
    up: { ...c.up, ...(c.up.error !== undefined ? { error: tail(c.up.error) } : {}) },
    down: { ...c.down, ...(c.down.error !== undefined ? { error: tail(c.down.error) } : {}) },
    checks: c.checks.map((x) => ({
      ...x,
      ...(x.reason !== undefined ? { reason: tail(x.reason) } : {}),
      ...(x.detail !== undefined ? { detail: tail(x.detail) } : {}),
      ...(x.output !== undefined ? { output: tail(x.output) } : {}),
    })),
  });
  return { ...results, labs: results.labs.map((l) => ({ ...l, cycles: l.cycles.map(cycle) })) };
}

/** The report folder as `lab nightly` claims it (host/output.ts): every file of the run goes in it. */
export const REPORT_TARGET: OutputTarget = { what: 'the nightly report into', flag: '--report' };

export function writeReports(
  results: NightlyResults,
  reportDir: string,
  historyFile: string,
): NightlyResults {
  const history = readHistory(historyFile);
  const judged: NightlyResults = {
    ...boundOutputs(results),
    regressions: findRegressions(results, history),
    thresholds: THRESHOLDS,
  };
  writeInside(reportDir, REPORT_FILES.json, `${JSON.stringify(judged, null, 2)}\n`, REPORT_TARGET);
  writeInside(reportDir, REPORT_FILES.junit, toJUnit(judged), REPORT_TARGET);
  writeInside(reportDir, REPORT_FILES.html, toHtml(judged, history), REPORT_TARGET);
  appendHistory(historyFile, judged);
  return judged;
}
