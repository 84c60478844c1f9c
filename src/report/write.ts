// Writes a nightly run's reports into one folder: results.json, junit.xml, report.html; and appends
// the run to the history, after comparing it with the history's recent runs.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeFolders } from '../host/fs.js';
import { appendHistory, findRegressions, readHistory, THRESHOLDS } from './history.js';
import { toHtml } from './html.js';
import { toJUnit } from './junit.js';
import type { NightlyResults } from './results.js';

export const REPORT_FILES = { json: 'results.json', junit: 'junit.xml', html: 'report.html' } as const;

export function writeReports(
  results: NightlyResults,
  reportDir: string,
  historyFile: string,
): NightlyResults {
  const history = readHistory(historyFile);
  const judged: NightlyResults = {
    ...results,
    regressions: findRegressions(results, history),
    thresholds: THRESHOLDS,
  };
  makeFolders(reportDir);
  writeFileSync(join(reportDir, REPORT_FILES.json), `${JSON.stringify(judged, null, 2)}\n`);
  writeFileSync(join(reportDir, REPORT_FILES.junit), toJUnit(judged));
  writeFileSync(join(reportDir, REPORT_FILES.html), toHtml(judged, history));
  appendHistory(historyFile, judged);
  return judged;
}
