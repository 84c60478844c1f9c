// The README runner's reading of a README (test/helpers/readme.ts): which commands, which expected
// output, which directives, and how `…` matches. Every shipped README must parse.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROJECT_DIR } from '../../src/paths.js';
import { LAB_NAMES } from '../helpers/labs.js';
import { compareOutput, parseReadme, ReadmeFormatError } from '../helpers/readme.js';

const md = (...lines: string[]) => lines.join('\n');

describe('parseReadme', () => {
  it('reads plain blocks: commands, continuations, comments, and the text block under them', () => {
    const blocks = parseReadme(
      md(
        '# t',
        '```sh',
        '# a comment',
        'npx lab up x   # why',
        'npx lab up y \\',
        '  --set a=1',
        '```',
        'prose',
        '```text',
        'ok …',
        '```',
      ),
    );
    expect(blocks).toHaveLength(1);
    expect(blocks[0]?.commands.map((c) => [c.command, c.line])).toEqual([
      ['npx lab up x   # why', 4],
      ['npx lab up y \\\n  --set a=1', 5],
    ]);
    expect(blocks[0]?.expect).toEqual({ lines: ['ok …'], line: 9 });
  });

  it('reads transcripts: each $ line a command, the lines under it its output', () => {
    const [b] = parseReadme(
      md('```sh', '$ lab a', 'out a', '', '$ lab b', '$ lab c \\', 'more', 'out c', '```'),
    );
    expect(b?.commands.map((c) => [c.command, c.expect])).toEqual([
      ['lab a', ['out a', '']],
      ['lab b', []],
      ['lab c \\\nmore', ['out c']],
    ]);
  });

  it('reads directives on the lines right above the fence', () => {
    const [a, b] = parseReadme(
      md(
        '<!-- readme-test: skip (needs KVM) -->',
        '<!-- readme-test: instead lab up x -->',
        '```sh',
        'vagrant up',
        '```',
        '<!-- readme-test: exit 2,5 -->',
        '<!-- readme-test: timeout 30 -->',
        '```sh',
        'lab up bad',
        'lab up trap',
        '```',
      ),
    );
    expect(a).toMatchObject({ skip: '(needs KVM)', instead: 'lab up x' });
    expect(b?.commands.map((c) => c.exit)).toEqual([2, 5]);
    expect(b?.timeoutS).toBe(30);
  });

  it('refuses what would let a command escape or mislead: unmarked command blocks, bad directives', () => {
    const bad = [
      md('```', 'npx lab up x', '```'),
      md('```', '$ lab list', '```'),
      md('<!-- readme-test: sikp typo -->', '```sh', 'lab list', '```'),
      md('<!-- readme-test: exit 0 -->', '```sh', 'lab a', 'lab b', '```'),
      md('<!-- readme-test: instead lab up x -->', '```sh', 'lab a', '```'),
      md('```text', 'orphan', '```'),
      md('```sh', '$ lab a', 'x', '```', '```text', 'y', '```'),
      md('```sh', 'lab a', '```', '```text', 'y', '```', '```text', 'z', '```'),
      md('```sh', 'lab a'),
    ];
    for (const text of bad) expect(() => parseReadme(text), text).toThrow(ReadmeFormatError);
  });

  it('refuses a running block that rewrites what the checkout tracks: goldens are rewritten by a person', () => {
    const rewriters = [
      md('```sh', 'npm run check', 'UPDATE_GOLDEN=1 npx vitest run test/unit/render-golden.test.ts', '```'),
      md('```sh', 'npm run schema', '```'),
      md('```sh', '$ npm run graphs', '```'),
      md(
        '<!-- readme-test: skip (x) -->',
        '<!-- readme-test: instead npm run schema -->',
        '```sh',
        'lab a',
        '```',
      ),
    ];
    for (const text of rewriters) expect(() => parseReadme(text), text).toThrow(/rewrites/);
    const skipped = md('<!-- readme-test: skip (a person runs it) -->', '```sh', 'npm run schema', '```');
    expect(parseReadme(skipped)[0]?.skip).toBe('(a person runs it)');
  });

  it('ignores other languages and plain pictures', () => {
    expect(parseReadme(md('```yaml', 'a: 1', '```', '```', 'client ── router', '```'))).toEqual([]);
  });

  it('parses every shipped README', () => {
    for (const f of ['README.md', ...LAB_NAMES.map((l) => join('labs', l, 'README.md'))]) {
      const blocks = parseReadme(readFileSync(join(PROJECT_DIR, f), 'utf8'), f);
      expect(blocks.length, f).toBeGreaterThan(0);
    }
  });
});

describe('compareOutput', () => {
  it('compares lines trimmed, with runs of blanks as one space, blank lines ignored', () => {
    expect(compareOutput(['a b', '  c'], '\n a    b\t\nc  \n\n').ok).toBe(true);
    expect(compareOutput(['a b'], 'a b\nc').ok).toBe(false);
    expect(compareOutput(['a b', 'c'], 'a b').ok).toBe(false);
    expect(compareOutput(['k1', 'k2'], 'k1\n\nk2\n').ok).toBe(true);
  });

  it('matches … inside a line as any text of that line, and a lone … as any lines', () => {
    expect(compareOutput(['passed in … s'], 'passed in 0.12 s').ok).toBe(true);
    expect(compareOutput(['passed in … s'], 'failed in 0.12 s').ok).toBe(false);
    expect(compareOutput(['…', 'end'], 'x\ny\nend').ok).toBe(true);
    expect(compareOutput(['…', 'end'], 'end').ok).toBe(true);
    expect(compareOutput(['a', '…', 'b', '…'], 'a\nb\nb\nc').ok).toBe(true);
    expect(compareOutput(['a', '…', 'z'], 'a\nb\nc').ok).toBe(false);
    expect(compareOutput(['(x) [y] $1 a.b'], '(x) [y] $1 a.b').ok).toBe(true); // no regex from the README
    expect(compareOutput(['a.b'], 'axb').ok).toBe(false);
  });

  it('says which expected line no alignment gets past', () => {
    const r = compareOutput(['a', 'b', 'c'], 'a\nb\nX');
    expect(r.ok).toBe(false);
    expect(r.explanation).toContain('first line not matched: "c"');
  });

  it('strips colours', () => {
    expect(compareOutput(['✔ ok'], '\x1b[32m✔\x1b[39m ok').ok).toBe(true);
  });

  it('an empty expectation wants no output', () => {
    expect(compareOutput([], '').ok).toBe(true);
    expect(compareOutput([], 'something').ok).toBe(false);
  });
});
