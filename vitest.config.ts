import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';
import LongestFirst from './test/helpers/longest-first.js';

// Test files run side by side: every integration file names its instances after its own pid, keeps its
// own state folder and asserts only on what its instances left (other labs come and go on the host).
// Most of an integration file is waiting on daemons' timers, not CPU (one file per core kept the whole
// run at 93% of one core of two): two files per core by default. LAB_TEST_WORKERS changes it (1 runs
// them one after another; on a host already busy with other work, fewer keeps time-bound tests in time).
const workers = Number(process.env.LAB_TEST_WORKERS) || 2 * availableParallelism();
// Files that run lab gc for real (it removes crashed instances, stale locks and orphans host-wide, and
// they expect to find exactly their own) run last, one at a time, with nothing else of the suite.
const ALONE = ['test/integration/interrupts.test.ts', 'test/integration/vagrant-fake.test.ts'];

export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 60_000,
    reporters: ['default', './test/helpers/summary-reporter.ts'],
    maxWorkers: workers,
    // longest files first (test/helpers/longest-first.ts): vitest's own order left the longest for last
    sequence: { sequencer: LongestFirst },
    projects: [
      {
        extends: true,
        test: {
          name: 'side-by-side',
          include: ['test/**/*.test.ts'],
          // the real VMs' tests run apart, by npm run test:vm (vitest.vm.config.ts)
          exclude: [...ALONE, 'test/vm/**', 'node_modules/**'],
          sequence: { groupOrder: 0 },
        },
      },
      {
        extends: true,
        test: { name: 'alone', include: ALONE, maxWorkers: 1, sequence: { groupOrder: 1 } },
      },
    ],
  },
});
