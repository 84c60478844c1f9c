// lab nightly: tear down, rebuild and prove every lab, and report in JUnit, JSON (with history) and HTML.
import { join } from 'node:path';
import { CheckError, DefinitionError, PreflightError } from '../../errors.js';
import { claimAppendFile, claimOutputFolder } from '../../host/output.js';
import { defaultHistory, defaultParallelism, runNightly } from '../../nightly/run.js';
import { verifyInstanceName } from '../../paths.js';
import { printable } from '../../printable.js';
import { HISTORY_TARGET } from '../../report/history.js';
import { REPORT_FILES, REPORT_TARGET, writeReports } from '../../report/write.js';

export async function nightly(
  labs: string[],
  opts: {
    cycles: string;
    report: string;
    history?: string;
    parallel?: string;
    instance: string;
    set: string[];
  },
): Promise<void> {
  const cycles = Number(opts.cycles);
  if (!Number.isInteger(cycles) || cycles < 1 || cycles > 1000)
    throw new DefinitionError(`--cycles ${opts.cycles}: give a whole number from 1 to 1000`);
  const parallel = opts.parallel === undefined ? defaultParallelism() : Number(opts.parallel);
  if (!Number.isInteger(parallel) || parallel < 1 || parallel > 64)
    throw new DefinitionError(`--parallel ${opts.parallel}: give a whole number from 1 to 64`);
  const instance = verifyInstanceName(opts.instance);
  // claimed before the hours of work: `/`, a folder lab did not write and links are refused now
  const reportDir = claimOutputFolder(opts.report, REPORT_TARGET);
  const historyFile = claimAppendFile(opts.history ?? defaultHistory(reportDir), HISTORY_TARGET);

  const controller = new AbortController();
  const onSignal = () => {
    if (controller.signal.aborted) return;
    console.error('\ninterrupted: removing the lab being built, then writing the report ...');
    controller.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    const results = await runNightly({
      labs,
      cycles,
      reportDir,
      instance,
      parallel,
      set: opts.set,
      signal: controller.signal,
      say: (line) => console.log(printable(line)),
    });
    const judged = writeReports(results, reportDir, historyFile);
    for (const r of judged.regressions)
      console.log(
        `regression: ${r.lab} ${r.phase} took ${(r.ms / 1000).toFixed(2)} s, ${r.ratio.toFixed(2)}× the median ${(r.medianMs / 1000).toFixed(2)} s of its recent runs (threshold ${judged.thresholds.ratio}× and +${judged.thresholds.minExtraMs} ms)`,
      );
    console.log(`\nreport: ${join(reportDir, REPORT_FILES.html)}`);
    console.log(
      `        ${join(reportDir, REPORT_FILES.junit)}, ${join(reportDir, REPORT_FILES.json)}; history ${historyFile}`,
    );
    const failed = judged.labs.filter((l) => l.status === 'failed');
    const passed = judged.labs.filter((l) => l.status === 'passed');
    const skipped = judged.labs.filter((l) => l.status === 'skipped');
    const line = `${passed.length} labs passed, ${failed.length} failed, ${skipped.length} skipped`;
    if (controller.signal.aborted) throw new CheckError(`interrupted: ${line}`);
    if (failed.length) throw new CheckError(`${line}: ${failed.map((l) => l.lab).join(', ')} failed`);
    if (!passed.length) throw new PreflightError(`${line}: no lab can run on this host`);
    console.log(line);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
