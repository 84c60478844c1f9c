import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { labJsonSchema } from '../../src/model/json-schema.js';
import { LABS_DIR } from '../../src/paths.js';
import { LAB_NAMES, labFile } from '../helpers/labs.js';

describe('JSON Schema for editors', () => {
  it('labs/lab.schema.json is generated from the zod schema (run npm run schema after a change)', () => {
    expect(readFileSync(join(LABS_DIR, 'lab.schema.json'), 'utf8')).toBe(labJsonSchema());
  });

  it.each(LAB_NAMES)('%s/lab.yaml points its editor at the schema', (name) => {
    expect(readFileSync(labFile(name), 'utf8').split('\n')[0]).toBe(
      '# yaml-language-server: $schema=../lab.schema.json',
    );
  });
});
