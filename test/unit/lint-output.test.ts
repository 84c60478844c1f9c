// Each lint fixture carries its exact expected output at its end, one `#> ` line per issue:
// severity, code, path, line:column and message. A change in what lint says shows up as a diff.
// After an intended change: UPDATE_GOLDEN=1 npx vitest run test/unit/lint-output.test.ts
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatPath, type Issue } from '../../src/core/issue.js';
import { LabDefinitionError } from '../../src/model/load.js';
import { inspectLab } from '../../src/model/open.js';
import { FIXTURES } from '../helpers/labs.js';

const CORPUS = join(FIXTURES, 'lint');
const files = readdirSync(CORPUS)
  .filter((f) => f.endsWith('.yaml'))
  .sort();
const MARK = '#> ';

function issuesOf(file: string): Issue[] {
  try {
    return inspectLab(file).issues;
  } catch (e) {
    if (e instanceof LabDefinitionError) return e.issues;
    throw e;
  }
}

/** One line per issue, in the order lint reports them. */
const lineOf = (i: Issue) =>
  `${i.severity} [${i.code}] at ${formatPath(i.path) || '(file)'} (${i.line ?? '?'}:${i.column ?? '?'}): ${i.message}`;

describe('lint output', () => {
  it.each(files)('%s reports exactly its #> lines', (name) => {
    const file = join(CORPUS, name);
    const text = readFileSync(file, 'utf8');
    const actual = issuesOf(file).map(lineOf);
    const body = text
      .split('\n')
      .filter((l) => !l.startsWith(MARK))
      .join('\n')
      .replace(/\n+$/, '\n');
    if (process.env.UPDATE_GOLDEN)
      writeFileSync(file, `${body}${actual.map((l) => `${MARK}${l}\n`).join('')}`);
    const expected = readFileSync(file, 'utf8')
      .split('\n')
      .filter((l) => l.startsWith(MARK))
      .map((l) => l.slice(MARK.length));
    expect(expected.length, 'a fixture lists at least one expected issue').toBeGreaterThan(0);
    expect(actual).toEqual(expected);
  });
});
