// The nightly reports from made-up runs: JUnit valid against the JUnit XSD, regressions against the
// history's median with the named thresholds, and the HTML report's content (the browser test is in
// test/integration/nightly.test.ts).
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { sampleNight } from '../../src/bench/nightly-sample.js';
import { describeCycle } from '../../src/nightly/run.js';
import { PROJECT_DIR } from '../../src/paths.js';
import {
  findRegressions,
  HISTORY_MIN_RUNS,
  median,
  phaseTimes,
  REGRESSION_MIN_EXTRA_MS,
  REGRESSION_RATIO,
  readHistory,
} from '../../src/report/history.js';
import { toHtml } from '../../src/report/html.js';
import { toJUnit } from '../../src/report/junit.js';
import { writeReports } from '../../src/report/write.js';
import { validateJUnit } from '../helpers/junit.js';

describe('nightly reports', () => {
  const dir = mkdtempSync(join(tmpdir(), 'lab-report-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('JUnit: valid against the XSD, a suite per lab, a case per check per cycle plus up, down and leaks', async () => {
    const night = sampleNight(4); // night 4: one lab fails its last check
    const xml = toJUnit(night);
    const v = await validateJUnit(xml);
    expect(v.errors, JSON.stringify(v.errors)).toEqual([]);
    expect(v.valid).toBe(true);
    expect(xml.match(/<testsuite /g)).toHaveLength(4);
    const suite = xml.slice(xml.indexOf('<testsuite name="bgp-metallb"'), xml.indexOf('</testsuite>'));
    expect(suite.match(/<testcase /g)).toHaveLength(1 + 4 + 2);
    const failed = night.labs.find((l) => l.status === 'failed')!;
    const failedSuite = xml.slice(xml.indexOf(`<testsuite name="${failed.lab}"`));
    expect(failedSuite).toMatch(
      /<failure type="check" message="worker3: session Active, not Established">command: /,
    );
    expect(failedSuite).toContain('<system-out>BIRD 2.0.12 ready.');
  });

  it('JUnit stays valid with what output may hold: control characters, markup, quotes', async () => {
    const night = sampleNight(4);
    const check = night.labs[0].cycles[0].checks[0];
    check.ok = false;
    check.reason = 'a "quoted" <reason> & more';
    check.output = '\u001b[31mred\u001b[0m </system-out> ]]> \u0000';
    const v = await validateJUnit(toJUnit(night));
    expect(v.valid, JSON.stringify(v.errors)).toBe(true);
  });

  it('JUnit: a skipped lab is one skipped case with its reason; a check never run is skipped', async () => {
    const night = sampleNight(0);
    night.labs[2] = { ...night.labs[2], status: 'skipped', reason: 'no emulated realization', cycles: [] };
    night.labs[0].cycles[0].checks.pop();
    const xml = toJUnit(night);
    expect((await validateJUnit(xml)).valid).toBe(true);
    expect(xml).toContain('<skipped message="no emulated realization"/>');
    expect(xml).toContain('<skipped message="not run: up failed before this check"/>');
  });

  it('declared failures: a case each and one for the recovery in JUnit, a table in HTML, a line each in the log', async () => {
    const night = sampleNight(0);
    const c = night.labs[0].cycles[0];
    const check = (name: string, broken: boolean, ok: boolean, reason?: string) => ({
      name,
      node: 'c',
      broken,
      ok,
      ms: 120,
      ...(reason ? { reason } : {}),
    });
    c.failures = [
      {
        step: 'cut-lan1',
        actions: ['link_down c lan1 (eth0)'],
        ok: false,
        ms: 900,
        checks: [check('best-via-p1', true, true, 'next hop is 10.96.2.2'), check('p2-session', true, false)],
      },
      {
        step: 'mend-lan1',
        actions: ['link_up c lan1 (eth0)'],
        ok: true,
        ms: 500,
        checks: [check('best-via-p1', false, true)],
      },
    ];
    c.recovery = {
      ok: false,
      ms: 300,
      checks: [check('best-via-p1', false, false, 'no route to 10.97.0.0/24')],
    };
    c.ok = false;
    const xml = toJUnit(night);
    expect((await validateJUnit(xml)).valid).toBe(true);
    expect(xml).toMatch(
      /name="declared failure cut-lan1" time="0.900">\s*<failure type="check" message="p2-session on c: still passes: the step did not break it"/,
    );
    expect(xml).toMatch(/name="declared failure mend-lan1" time="0.500"\/>/);
    expect(xml).toMatch(
      /name="recovered after the declared failures" time="0.300">\s*<failure type="check" message="best-via-p1 on c: no route/,
    );
    const html = toHtml(night, []);
    expect(html).toContain('<h3>declared failures</h3>');
    expect(html).toMatch(/against it<\/span><\/td><td>cut-lan1/);
    const lines = describeCycle(night.labs[0].lab, c, 1);
    expect(lines).toMatch(/1\/2 declared failures, NOT recovered/);
    expect(lines).toContain(
      '✖ declared failure cut-lan1: p2-session on c still passes: the step did not break it',
    );
    expect(lines).toContain(
      '✖ not recovered after the declared failures: best-via-p1 on c: no route to 10.97.0.0/24',
    );
  });

  it('a broken JUnit document fails the XSD (the validation can fail)', async () => {
    const v = await validateJUnit('<testsuites><testsuite name="x"><testcase/></testsuite></testsuites>');
    expect(v.valid).toBe(false);
  });

  it(`a phase over ${REGRESSION_RATIO}× the recent median, and ${REGRESSION_MIN_EXTRA_MS} ms slower, is a regression`, () => {
    const history = Array.from({ length: 8 }, (_, i) => sampleNight(i * 5)); // no failing nights
    expect(findRegressions(sampleNight(41), history)).toEqual([]);
    const slow = sampleNight(41, { slowLab: 'multi-coe-calico' });
    const found = findRegressions(slow, history);
    expect(found.length).toBeGreaterThan(0);
    expect(found.every((r) => r.lab === 'multi-coe-calico')).toBe(true);
    const up = found.find((r) => r.phase === 'up')!;
    expect(up.ratio).toBeGreaterThan(REGRESSION_RATIO);
    const past = history.slice(-7).map((h) => phaseTimes(h.labs[1]).up);
    expect(up.medianMs).toBe(median(past));
    // too short a history judges nothing
    expect(findRegressions(slow, history.slice(0, HISTORY_MIN_RUNS - 1))).toEqual([]);
  });

  it('writes results.json, junit.xml, report.html and appends the run to the history', () => {
    const history = join(dir, 'history.jsonl');
    for (let i = 0; i < 3; i++) writeReports(sampleNight(i), dir, history);
    const judged = writeReports(sampleNight(3, { slowLab: 'bgp-metallb' }), dir, history);
    expect(readHistory(history)).toHaveLength(4);
    expect(readFileSync(history, 'utf8')).not.toContain('<svg'); // pictures stay in the report
    const json = JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8'));
    expect(json.schema).toBe('lab-nightly/1');
    expect(json.thresholds).toEqual({
      ratio: REGRESSION_RATIO,
      minExtraMs: REGRESSION_MIN_EXTRA_MS,
      window: 7,
    });
    expect(json.regressions).toEqual(judged.regressions);
    expect(judged.regressions.some((r) => r.lab === 'bgp-metallb' && r.phase === 'up')).toBe(true);
    expect(readFileSync(join(dir, 'report.html'), 'utf8')).toContain('class="regression"');
  });

  it('HTML: self-contained (nothing fetched), a section per lab with timeline, trend, topology and triage links', () => {
    const history = Array.from({ length: 29 }, (_, i) => sampleNight(i));
    const html = toHtml(sampleNight(29), history);
    expect(html).not.toMatch(/<(script|link)\b|src="http|href="http|@import/);
    expect(html.match(/<section class="lab"/g)).toHaveLength(4);
    expect(html.match(/<svg class="timeline"/g)).toHaveLength(4);
    expect(html.match(/<svg class="trend"/g)).toHaveLength(4);
    expect(html).toContain('aria-label="up time over 30 runs"');
    // night 29 fails multi-coe-calico (see sampleNight): its triage bundle is linked
    expect(html).toContain(
      '<a class="triage" href="labs/multi-coe-calico/cycle-1/triage/rr/triage.txt">rr</a>',
    );
    expect(html.match(/<td class="cell /g)).toHaveLength(30 * 4);
  });

  it('the example CI workflow is scheduled, uploads the report, and runs the commands the README shows', () => {
    const text = readFileSync(join(PROJECT_DIR, 'examples', 'nightly.github-actions.yml'), 'utf8');
    const wf = parse(text);
    expect(wf.on.schedule[0].cron).toMatch(/^[\d*]+ [\d*]+ \* \* \*$/);
    const steps = wf.jobs.nightly.steps as { run?: string; uses?: string; with?: { path?: string } }[];
    // sudo drops the runner's PATH (its node): the workflow keeps it, the commands are the same
    const runs = steps.flatMap((s) => (s.run ? [s.run.replace('env "PATH=$PATH" ', '')] : []));
    const readme = readFileSync(join(PROJECT_DIR, 'README.md'), 'utf8');
    const nightlyRun = runs.find((r) => r.includes('lab nightly'))!;
    expect(readme).toContain(nightlyRun);
    expect(readme).toContain(runs.find((r) => r.includes('setup.sh'))!);
    const upload = steps.find((s) => s.uses?.startsWith('actions/upload-artifact'))!;
    expect(nightlyRun).toContain(`--report ${upload.with!.path}`);
  });
});
