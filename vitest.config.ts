import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // the real VMs' tests run apart, by npm run test:vm (vitest.vm.config.ts)
    exclude: ['test/vm/**', 'node_modules/**'],
    // integration tests share the host's network namespaces: run files one after another
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 60_000,
    reporters: ['default', './test/helpers/summary-reporter.ts'],
  },
});
