// The lint corpus: each fixture in test/fixtures/lint/ is a broken lab that says, on its first line,
// the code it must fail with (`# expect: CODE`, written by hand: a regeneration cannot overwrite it),
// and carries at its end lint's exact output, one `#> ` line per issue (severity, code, path,
// line:column, message), so that a change in what lint says shows up as a diff. One test per fixture.
// After an intended change of the #> lines: UPDATE_GOLDEN=1 npx vitest run test/unit/lint-corpus.test.ts
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatPath, type Issue } from '../../src/core/issue.js';
import { lintLab } from '../../src/lint/index.js';
import { LabDefinitionError, loadLab, loadLabText } from '../../src/model/load.js';
import { inspectLab } from '../../src/model/open.js';
import { resolveLab } from '../../src/model/resolve.js';
import { FIXTURES, LAB_NAMES, labFile } from '../helpers/labs.js';

const CORPUS = join(FIXTURES, 'lint');
const files = readdirSync(CORPUS)
  .filter((f) => f.endsWith('.yaml'))
  .sort();

function issuesOf(file: string): Issue[] {
  try {
    return inspectLab(file).issues;
  } catch (e) {
    if (e instanceof LabDefinitionError) return e.issues;
    throw e;
  }
}

const MARK = '#> ';

/** One line per issue, in the order lint reports them. */
const lineOf = (i: Issue) =>
  `${i.severity} [${i.code}] at ${formatPath(i.path) || '(file)'} (${i.line ?? '?'}:${i.column ?? '?'}): ${i.message}`;

describe('lint corpus', () => {
  it('holds at least 20 broken definitions', () => expect(files.length).toBeGreaterThanOrEqual(20));

  it.each(files)(
    '%s fails with its code, located and explained, and reports exactly its #> lines',
    (name) => {
      const file = join(CORPUS, name);
      const text = readFileSync(file, 'utf8');
      const expected = /^# expect: ([a-z0-9-]+)/.exec(text)![1];
      const issues = issuesOf(file);
      const hit = issues.find((i) => i.code === expected);
      expect(hit, `codes: ${issues.map((i) => i.code).join(', ')}`).toBeDefined();
      expect(hit!.line).toBeGreaterThan(0);
      expect(hit!.hint.length).toBeGreaterThan(20);

      const actual = issues.map(lineOf);
      if (process.env.UPDATE_GOLDEN) {
        const body = text
          .split('\n')
          .filter((l) => !l.startsWith(MARK))
          .join('\n')
          .replace(/\n+$/, '\n');
        writeFileSync(file, `${body}${actual.map((l) => `${MARK}${l}\n`).join('')}`);
      }
      const said = readFileSync(file, 'utf8')
        .split('\n')
        .filter((l) => l.startsWith(MARK))
        .map((l) => l.slice(MARK.length));
      expect(said.length, 'a fixture lists at least one expected issue').toBeGreaterThan(0);
      expect(actual).toEqual(said);
    },
  );
});

describe('shipped labs', () => {
  it.each(LAB_NAMES)('%s has no lint error', (name) => {
    expect(issuesOf(labFile(name)).filter((i) => i.severity === 'error')).toEqual([]);
  });

  it('bgp-metallb with more workers than BIRD merges by default still gets every next hop', () => {
    const { lab } = resolveLab(loadLab(labFile('bgp-metallb'), ['workers=20']));
    expect(lintLab(lab)).toEqual([]);
    expect(lab.nodes.find((n) => n.name === 'router')!.bgp!.ecmpLimit).toBe(20);
  });
});

describe('host rules', () => {
  const text = readFileSync(labFile('bgp-metallb'), 'utf8').replace(
    'networks:',
    'management: { prefix: 192.0.2.0/24 }\nnetworks:',
  );
  const { lab } = resolveLab(loadLabText(text, 'lab.yaml'));

  it('rejects a management network that shadows a host route', () => {
    const issues = lintLab(lab, { routes: ['192.0.2.0/24'], otherLabs: [] });
    expect(issues.map((i) => i.code)).toContain('mgmt-overlaps-host');
  });

  it('rejects a management network another running lab uses', () => {
    const issues = lintLab(lab, {
      routes: [],
      otherLabs: [{ instance: 'bgp-metallb/blue', prefix: '192.0.2.0/23' }],
    });
    expect(issues.map((i) => i.code)).toContain('mgmt-overlaps-lab');
  });

  it('warns when the host has less memory than the lab needs', () => {
    const issues = lintLab(lab, { routes: [], otherLabs: [], memoryMb: 100 });
    expect(issues.map((i) => i.code)).toContain('host-resources');
  });
});
