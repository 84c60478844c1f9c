// A lab's regular expressions run over node output on the host: a pattern that backtracks
// catastrophically in a backtracking engine must still be judged at once, never hang `lab check`.
import { describe, expect, it } from 'vitest';
import { compileLabRegex, labRegexError } from '../../src/core/lab-regex.js';
import { judge } from '../../src/engine/judges.js';
import { openLab } from '../../src/model/open.js';
import { routerResult } from '../helpers/fake-shell.js';
import { labFile } from '../helpers/labs.js';

const { lab } = openLab(labFile('bgp-metallb'));
const base = lab.checks[0];
const result = routerResult;
// 100k 'a's then '!': `(a+)+$` needs about 2^100000 steps in a backtracking engine
const HOSTILE = `${'a'.repeat(100_000)}!`;

/** Milliseconds `f` took, and its value. */
function timed<T>(f: () => T): [number, T] {
  const start = performance.now();
  const value = f();
  return [performance.now() - start, value];
}

describe('lab regular expressions', () => {
  it('expect.match (a+)+$ over 100k characters fails in well under a second', () => {
    const check = { ...base, expect: { match: '(a+)+$' } };
    const [ms, verdict] = timed(() => judge(lab, check, [result(HOSTILE)]));
    expect(verdict.ok).toBe(false);
    expect(ms).toBeLessThan(1000);
  });

  it('expect.lines.match (a+)+$ over 100k characters counts in well under a second', () => {
    const check = { ...base, expect: { lines: { match: '(a+)+$', min: 1 } } };
    const [ms, verdict] = timed(() => judge(lab, check, [result(`${HOSTILE}\naaa\n`)]));
    expect(verdict).toEqual({ ok: true, detail: '1 lines' });
    expect(ms).toBeLessThan(1000);
  });

  it('keeps the meaning of ordinary patterns: ^ and $ per line for match, anywhere in a line', () => {
    expect(compileLabRegex('^Established$', true).test('BGP state\nEstablished\n')).toBe(true);
    expect(compileLabRegex('^Established$').test('BGP state\nEstablished\n')).toBe(false);
    expect(compileLabRegex('\\d+ routes').test('imported 12 routes')).toBe(true);
    expect(compileLabRegex('worker-\\d').test('worker-x')).toBe(false);
  });

  it('refuses what RE2 has not (backreferences, lookaround) and what does not parse', () => {
    expect(labRegexError('(a)\\1')).toMatch(/invalid escape/);
    expect(labRegexError('foo(?=bar)')).toMatch(/unsupported Perl syntax/);
    expect(labRegexError('wor(ker')).toMatch(/missing closing \)/);
    expect(labRegexError('(a+)+$')).toBeUndefined();
  });
});
