// Ends every run with one plain line that any CI can read: `tests: N passed, N failed, N skipped`. An
// error outside any test (a file's import, a beforeAll, an error nothing caught) counts as failed:
// the tests it stopped show as skipped, and the line said 0 failed for a file that ran nothing.
import type { Reporter, SerializedError, TestModule } from 'vitest/node';

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
    console.log(`\ntests: ${counts.passed} passed, ${failed}, ${counts.skipped} skipped`);
  }
}
