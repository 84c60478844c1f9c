// Each lab resolves to the model kept in test/golden/<lab>/lab.json: a change in derivation (addresses,
// BGP sessions, blocks, checks) shows up as a reviewed diff, not only in what the templates print.
// After an intended change: UPDATE_GOLDEN=1 npx vitest run test/unit/model-golden.test.ts
// (model-facts.test.ts keeps, by hand, what each README says of its lab: no regeneration rewrites it)
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Lab } from '../../src/core/lab.js';
import { openLab } from '../../src/model/open.js';
import { PROJECT_DIR } from '../../src/paths.js';
import { LAB_NAMES, labFile } from '../helpers/labs.js';

const GOLDEN = join(PROJECT_DIR, 'test', 'golden');

/** The resolved model without what depends on where the clone sits (file, dir) or repeats the file (raw). */
function modelJson(lab: Lab): string {
  const { raw: _raw, file: _file, dir: _dir, ...model } = lab;
  return `${JSON.stringify(model, null, 2)}\n`;
}

describe('golden resolved models', () => {
  it.each(LAB_NAMES)('%s resolves exactly to its golden lab.json', (name) => {
    const actual = modelJson(openLab(labFile(name)).lab);
    const file = join(GOLDEN, name, 'lab.json');
    if (process.env.UPDATE_GOLDEN) {
      mkdirSync(join(GOLDEN, name), { recursive: true });
      writeFileSync(file, actual);
    }
    expect(actual).toBe(readFileSync(file, 'utf8'));
  });
});
