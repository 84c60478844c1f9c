// Ends every run with one plain line that any CI can read: `tests: N passed, N failed, N skipped`. An
// error outside any test (a file's import, a beforeAll, an error nothing caught) counts as failed:
// the tests it stopped show as skipped, and the line said 0 failed for a file that ran nothing.
// Before it, the longest files with when each started: where the suite's time goes (a long file that
// started late is a tail no other file shares; test/helpers/longest-first.ts orders the files).
import {
  experimental_getRunnerTask,
  type Reporter,
  type SerializedError,
  type TestModule,
} from 'vitest/node';

export default class SummaryReporter implements Reporter {
  onTestRunEnd(modules: ReadonlyArray<TestModule>, unhandled: ReadonlyArray<SerializedError>): void {
    const counts = { passed: 0, failed: 0, skipped: 0 };
    let outside = unhandled.length;
    for (const m of modules) {
      outside += m.errors().length;
      for (const s of m.children.allSuites()) outside += s.errors().length;
      for (const t of m.children.allTests()) {
        const state = t.result().state;
        if (state === 'passed') counts.passed++;
        else if (state === 'failed') counts.failed++;
        else counts.skipped++;
      }
    }
    const failed = outside
      ? `${counts.failed + outside} failed (${outside} outside a test: an import, a hook, an uncaught error)`
      : `${counts.failed} failed`;
    const times = longest(modules);
    if (times) console.log(`\n${times}`);
    console.log(`${times ? '' : '\n'}tests: ${counts.passed} passed, ${failed}, ${counts.skipped} skipped`);
  }
}

/** `longest files: path 117 s (270-387 s), ...`: the eight longest, each with when its tests ran, counted
 * from when the first file's began. */
function longest(modules: ReadonlyArray<TestModule>): string {
  const timed = modules.flatMap((m) => {
    const r = experimental_getRunnerTask(m).result;
    return r?.startTime !== undefined && r.duration !== undefined
      ? [{ path: m.relativeModuleId, start: r.startTime, duration: r.duration }]
      : [];
  });
  if (!timed.length) return '';
  const first = Math.min(...timed.map((t) => t.start));
  const sec = (ms: number) => (ms / 1000).toFixed(0);
  const s = (ms: number) => `${sec(ms)} s`;
  const top = timed.sort((a, b) => b.duration - a.duration).slice(0, 8);
  return `longest files: ${top.map((t) => `${t.path} ${s(t.duration)} (${sec(t.start - first)}-${s(t.start - first + t.duration)})`).join(', ')}`;
}
