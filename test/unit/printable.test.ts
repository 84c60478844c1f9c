// What nodes and lab files say reaches a terminal with its control characters shown, not obeyed (as
// systemctl and ls -b show them); --json keeps them, JSON-escaped; reports keep a bounded tail.
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { sampleNight } from '../../src/bench/nightly-sample.js';
import type { Check } from '../../src/core/lab.js';
import { type CheckOutcome, describeFailure, lastOutput } from '../../src/engine/checks.js';
import { Progress } from '../../src/engine/progress.js';
import { CheckError } from '../../src/errors.js';
import { OUTPUT_TAIL, outputTail, printable, printableLine } from '../../src/printable.js';
import { writeReports } from '../../src/report/write.js';
import { LAB_BIN } from '../helpers/cli.js';
import { labFile } from '../helpers/labs.js';

const dir = mkdtempSync(join(tmpdir(), 'lab-printable-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** What a hostile node prints: colours, a cursor move, a title (OSC), OSC 52 (the clipboard), a
 * carriage return over the line, a C1 CSI, a bidirectional override. */
const HOSTILE =
  'ok\u001b[31mred\u001b[0m\u001b[2J\u001b]0;title\u0007\u001b]52;c;ZWNobyBwd25lZA==\u0007 hidden\rshown\u009b1m \u202eevil\u0000\u007f';
/** Any character a terminal acts on, but newline and tab. */
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

describe('printable', () => {
  it('shows every control character as an escape, keeps newlines and tabs', () => {
    const shown = printable(`${HOSTILE}\n\tnext`);
    expect(shown).not.toMatch(CONTROL);
    expect(shown).toContain('\\x1b[31mred');
    expect(shown).toContain('\\x07');
    expect(shown).toContain('hidden\\rshown');
    expect(shown).toContain('\\x9b1m');
    expect(shown).toContain('\\u202eevil');
    expect(shown).toContain('\n\tnext');
    expect(printable(shown)).toBe(shown); // twice is once
    expect(printable('plain text: ünïcödé, 日本')).toBe('plain text: ünïcödé, 日本');
    expect(printableLine('a\nb\tc\u001b')).toBe('a\\nb\\tc\\x1b');
  });

  it('a report keeps the last 64 KiB of an output and says how much was cut', () => {
    const big = `${'x'.repeat(10 * 1024 * 1024)}THE END`;
    const kept = outputTail(big);
    expect(kept.length).toBeLessThan(OUTPUT_TAIL + 100);
    expect(kept).toMatch(
      new RegExp(`^\\[${big.length - OUTPUT_TAIL} characters cut, the last ${OUTPUT_TAIL} follow\\]\\n`),
    );
    expect(kept.endsWith('THE END')).toBe(true);
    expect(outputTail('short')).toBe('short');
  });
});

const check = { name: 'c', node: 'client', run: 'curl x', wait: 'default', timeout: 5 } as unknown as Check;
const outcome = (stdout: string): CheckOutcome => ({
  check,
  verdict: { ok: false, reason: `output does not match: ${HOSTILE}` },
  results: [
    { node: 'client', command: 'curl x', exitCode: 0, stdout, stderr: '', durationMs: 1, timedOut: false },
  ],
  attempts: 1,
  waitedMs: 10,
});

describe("a check's output", () => {
  it('is shown neutralized when a check fails', () => {
    const lines = describeFailure(outcome(`${HOSTILE}\nsecond line`));
    expect(lines.join('\n')).not.toMatch(CONTROL);
    expect(lines.join('\n')).toContain('\\x1b]52;c;');
    expect(lines).toContain('    second line');
  });

  it('is kept as its last 64 KiB for the reports', () => {
    const kept = lastOutput(outcome(`${'y'.repeat(10 * 1024 * 1024)}last`));
    expect(kept.length).toBeLessThan(OUTPUT_TAIL + 100);
    expect(kept).toMatch(/^\[\d+ characters cut/);
    expect(kept.endsWith('last')).toBe(true);
  });

  it("the progress shows a failure's reason neutralized, and the caller gets the failure itself", async () => {
    const written: string[] = [];
    const spy = vi.spyOn(process.stdout, 'write').mockImplementation((s) => {
      written.push(String(s));
      return true;
    });
    const failure = new CheckError(`exit 1: ${HOSTILE}`);
    try {
      const run = new Progress('simple').run([
        {
          title: 'checks',
          subtasks: [{ title: `c on ${HOSTILE}`, task: async () => Promise.reject(failure) }],
        },
      ]);
      await expect(run).rejects.toBe(failure);
    } finally {
      spy.mockRestore();
    }
    const screen = written.join('');
    expect(screen).toContain('\\x1b[31mred');
    expect(screen.replace(/\u001b\[[0-9;]*m/g, '')).not.toMatch(CONTROL); // listr's own colours aside
    expect(failure.message).toContain('\u001b[31m');
  });
});

describe('reports', () => {
  it('JUnit, HTML, JSON and the history keep a bounded tail of a 10 MB output', () => {
    const night = sampleNight(4);
    const c = night.labs[0].cycles[0].checks[0];
    c.ok = false;
    c.output = `${'z'.repeat(10 * 1024 * 1024)}tail`;
    c.reason = 'r'.repeat(1024 * 1024);
    const out = join(dir, 'report');
    writeReports(night, out, join(dir, 'history.jsonl'));
    for (const f of [...readdirSync(out).map((f) => join(out, f)), join(dir, 'history.jsonl')]) {
      expect(statSync(f).size, f).toBeLessThan(1024 * 1024);
      expect(readFileSync(f, 'utf8'), f).toMatch(/characters cut/);
    }
  });
});

describe('the command line', () => {
  // a lab file whose node name and step description hold escape sequences
  const text = readFileSync(labFile('bgp-metallb'), 'utf8')
    .replace(/description: (install BIRD on the router.*)$/m, 'description: "\\e]0;pwned\\a\\e[2J$1"')
    .replace(/^ {2}client:$/m, '  "cl\\e[31ment":');
  const file = join(dir, 'lab.yaml');
  writeFileSync(file, text);
  const lab = (...args: string[]) => {
    try {
      return execFileSync('node', [LAB_BIN, ...args], {
        encoding: 'utf8',
        env: { ...process.env, LAB_STATE_DIR: join(dir, 'state') },
      });
    } catch (e) {
      return String((e as { stdout: string }).stdout) + String((e as { stderr: string }).stderr);
    }
  };

  it('lab lint shows a name with escape sequences neutralized; --json keeps it, escaped', () => {
    expect(text).toContain('"cl\\e[31ment"');
    const shown = lab('lint', file);
    expect(shown).toContain("'cl\\x1b[31ment'");
    expect(shown).not.toMatch(CONTROL);
    const json = JSON.parse(lab('lint', file, '--json'));
    expect(JSON.stringify(json)).toContain('cl\\u001b[31ment');
    expect(json.issues.some((i: { message: string }) => i.message.includes('cl\u001b[31ment'))).toBe(true);
  });

  it("lab steps shows a step's description neutralized", () => {
    const fixed = text.replace('"cl\\e[31ment":', 'client:');
    // beside the lab's step scripts, which lint wants to find
    const copy = join(dir, 'bgp-metallb');
    cpSync(dirname(labFile('bgp-metallb')), copy, { recursive: true });
    const good = join(copy, 'lab.yaml');
    writeFileSync(good, fixed);
    const shown = lab('steps', good);
    expect(shown).toContain('\\x1b]0;pwned\\x07\\x1b[2Jinstall BIRD');
    expect(shown).not.toMatch(CONTROL);
  });
});
