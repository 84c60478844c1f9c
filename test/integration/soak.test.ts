// The short soak (SOAK_SHORT=1): every fault scenario once or twice, with its leak check per instance.
// The long one is npm run soak.
import { join } from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { PROJECT_DIR } from '../../src/paths.js';
import { isRoot } from '../helpers/labs.js';

describe.skipIf(!isRoot)('short soak', () => {
  it('every scenario runs clean: no failure, no leak', async () => {
    const r = await execa('node', [join(PROJECT_DIR, 'dist', 'soak', 'main.js')], {
      env: { SOAK_SHORT: '1' },
      reject: false,
      all: true,
    });
    expect(r.exitCode, r.all).toBe(0);
    for (const s of [
      'cycles',
      'interrupts',
      'concurrent',
      'races',
      'damaged state',
      'killed daemons',
      'host faults',
    ])
      expect(r.stdout).toMatch(new RegExp(`^✔ ${s}: .*; 0 leaks, 0 failures`, 'm'));
    expect(r.stdout).toMatch(
      /^soak: clean: \d+ runs, \d+ faults, \d+ races, \d+ damaged states, 0 leaks, 0 failures$/m,
    );
  }, 300_000);
});
