// lab nightly runs the failures a lab declares as data (optional steps of actions) after up: each step's
// broken checks must fail and its kept ones pass, then every check again (the lab recovered). Two labs,
// one cycle each: failure-steps as it is (a BIRD and an FRR router losing links, a bgpd and a provider,
// and getting them back), and a copy whose step claims to break a session it leaves up.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadLab } from '../../src/model/load.js';
import { resolveLab } from '../../src/model/resolve.js';
import { declaredFailures } from '../../src/nightly/failures.js';
import type { NightlyResults } from '../../src/report/results.js';
import { labCli } from '../helpers/cli.js';
import { namespacesOf } from '../helpers/host.js';
import { validateJUnit } from '../helpers/junit.js';
import { conformanceFile, isRoot } from '../helpers/labs.js';

const instance = `nf${process.pid % 100000}`;
const FILE = conformanceFile('failure-steps');

describe.skipIf(!isRoot)('lab nightly: declared failures', () => {
  const state = mkdtempSync(join(tmpdir(), 'lab-nightly-failures-'));
  // cut-lan1 now also claims to break c's session with p2, which is on lan2 and stays up
  const yaml = readFileSync(FILE, 'utf8');
  const start = yaml.indexOf('steps:');
  // the lab file lives beside the state folder: lab refuses a state folder holding files it did not write
  const labs = mkdtempSync(join(tmpdir(), 'lab-nightly-failures-labs-'));
  const AGAINST = join(labs, 'failure-claims', 'lab.yaml');
  mkdirSync(join(labs, 'failure-claims'));
  writeFileSync(
    AGAINST,
    `${yaml.slice(0, start).replace(/^name: failure-steps$/m, 'name: failure-claims')}steps:
  - name: cut-lan1
    description: c's link to lan1 goes down
    optional: true
    actions: [{ link_down: { node: c, network: lan1 } }]
    breaks: [best-via-p1-bird, p2-session-bird]
  - name: mend-lan1
    description: back up
    optional: true
    actions: [{ link_up: { node: c, network: lan1 } }]
    checks: [best-via-p1-bird]
`,
  );
  const report = join(state, 'report');
  const lab = labCli(state);
  let run: Awaited<ReturnType<typeof lab>>;
  let results: NightlyResults;

  beforeAll(async () => {
    // the two labs side by side: most of a cycle is waiting, on a hold time or on a claimed break that
    // never comes (its wait runs out); the results keep the order of the command line
    run = await lab(['nightly', FILE, AGAINST, '--report', report, '-i', instance, '--parallel', '2'], {
      timeout: 300_000,
    });
    results = JSON.parse(readFileSync(join(report, 'results.json'), 'utf8'));
  }, 320_000);

  afterAll(async () => {
    await lab(['down', FILE, '-i', instance]);
    await lab(['down', AGAINST, '-i', instance]);
    rmSync(state, { recursive: true, force: true });
    rmSync(labs, { recursive: true, force: true });
  });

  it('runs every declared failure of failure-steps in file order, each as declared, and the lab recovers', () => {
    const steps = declaredFailures(resolveLab(loadLab(FILE)).lab).map((s) => s.name);
    expect(steps).toEqual(['cut-lan1', 'mend-lan1', 'stop-p1', 'start-p1', 'isolate-p2', 'restore-p2']);
    const [good] = results.labs;
    expect(good, run.all).toMatchObject({ lab: 'failure-steps', status: 'passed' });
    const c = good.cycles[0];
    expect(c.failures!.map((f) => [f.step, f.ok])).toEqual(steps.map((s) => [s, true]));
    // what each step breaks failed, with the judge's reason; what it keeps passed
    const cut = c.failures![0];
    expect(cut.actions).toEqual([
      expect.stringMatching(/^link_down c lan1/),
      expect.stringMatching(/^link_down f lan1/),
    ]);
    expect(cut.checks.filter((k) => k.broken).map((k) => [k.name, k.ok])).toEqual([
      ['best-via-p1-bird', true],
      ['best-via-p1-frr', true],
    ]);
    expect(cut.checks.find((k) => k.name === 'best-via-p1-frr')!.reason).toMatch(/next hop is 10\.96\.2\.2/);
    expect(cut.checks.filter((k) => !k.broken).map((k) => [k.name, k.ok])).toEqual([
      ['reachable-bird', true],
      ['reachable-frr', true],
    ]);
    const isolate = c.failures!.find((f) => f.step === 'isolate-p2')!;
    expect(isolate.checks.find((k) => k.name === 'p2-session-frr')).toMatchObject({ broken: true, ok: true });
    expect(c.recovery).toMatchObject({ ok: true });
    expect(c.recovery!.checks.map((k) => k.name)).toEqual(
      resolveLab(loadLab(FILE)).lab.checks.map((k) => k.name),
    );
    expect(run.all).toMatch(
      /✔ failure-steps cycle 1\/1: up [\d.]+ s, 6\/6 checks, 6\/6 declared failures, recovered, down/,
    );
  });

  it('a step that does not break what it declares fails the cycle, named, and the rest still runs', () => {
    const bad = results.labs[1];
    expect(bad).toMatchObject({ lab: 'failure-claims', status: 'failed' });
    const c = bad.cycles[0];
    expect(c.up.ok).toBe(true);
    expect(c.failures!.map((f) => [f.step, f.ok])).toEqual([
      ['cut-lan1', false],
      ['mend-lan1', true],
    ]);
    expect(c.failures![0].checks.find((k) => k.name === 'p2-session-bird')).toMatchObject({
      broken: true,
      ok: false,
    });
    expect(c.recovery?.ok).toBe(true);
    expect(run.exitCode, run.all).toBe(5);
    expect(run.all).toMatch(/✖ failure-claims cycle 1\/1: .*1\/2 declared failures, recovered/);
    expect(run.all).toMatch(
      /✖ declared failure cut-lan1: p2-session-bird on c still passes: the step did not break it/,
    );
  });

  it('JUnit: a test case per declared failure and the recovery, the one against its step a failure', async () => {
    const xml = readFileSync(join(report, 'junit.xml'), 'utf8');
    const v = await validateJUnit(xml);
    expect(v.valid, JSON.stringify(v.errors)).toBe(true);
    expect(xml).toMatch(
      /<testcase classname="failure-steps.cycle1" name="declared failure isolate-p2" time="[\d.]+"\/>/,
    );
    expect(xml).toMatch(
      /<testcase classname="failure-steps.cycle1" name="recovered after the declared failures"/,
    );
    expect(xml).toMatch(
      /<testcase classname="failure-claims.cycle1" name="declared failure cut-lan1" time="[\d.]+">\s*<failure type="check" message="p2-session-bird on c: still passes/,
    );
  });

  it('leaves nothing behind', () => {
    expect(namespacesOf(`lab.failure-steps.${instance}`)).toEqual([]);
    expect(namespacesOf(`lab.failure-claims.${instance}`)).toEqual([]);
    expect(results.labs.every((l) => l.cycles.every((c) => c.leaks.length === 0))).toBe(true);
  });
});
