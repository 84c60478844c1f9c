import { defineConfig } from 'vitest/config';

// npm run test:vm: the tests that boot real VMs (minutes each), apart from npm test
export default defineConfig({
  test: {
    include: ['test/vm/**/*.test.ts'],
    fileParallelism: false,
    testTimeout: 1_900_000,
    hookTimeout: 900_000,
    reporters: ['default'],
  },
});
