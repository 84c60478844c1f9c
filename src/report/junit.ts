// JUnit XML, as CI systems read it: one testsuite per lab; per cycle one testcase for up, one per check,
// one for down and one for leaks. Failures carry the reason; system-out the check's last output.
import type { FailureCheck, LabResult, NightlyResults } from './results.js';

// XML 1.0 allows no control characters but tab and newlines (ANSI colours in output would break it)
const INVALID = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g;
const esc = (s: string) =>
  s
    .replace(INVALID, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');
const secs = (ms: number) => (ms / 1000).toFixed(3);

interface Case {
  classname: string;
  name: string;
  ms: number;
  failure?: { type: string; message: string; text: string };
  error?: { type: string; message: string };
  skipped?: string;
  out?: string;
}

function casesOf(lab: LabResult): Case[] {
  if (lab.status === 'skipped')
    return [{ classname: lab.lab, name: 'nightly', ms: 0, skipped: lab.reason ?? 'skipped' }];
  if (!lab.cycles.length)
    return [
      {
        classname: lab.lab,
        name: 'nightly',
        ms: 0,
        error: { type: 'setup', message: lab.reason ?? 'did not run' },
      },
    ];
  return lab.cycles.flatMap((c) => {
    const classname = `${lab.lab}.cycle${c.cycle}`;
    const cases: Case[] = [
      {
        classname,
        name: 'up',
        ms: c.up.ms,
        ...(c.up.ok
          ? {}
          : {
              failure: {
                type: `exit ${c.up.exitCode}`,
                message: (c.up.error ?? '').split('\n')[0],
                text: c.up.error ?? '',
              },
            }),
      },
    ];
    for (const check of lab.checks) {
      const r = c.checks.find((x) => x.name === check.name && x.node === check.node);
      const name = `check ${check.name} on ${check.node}`;
      if (!r) {
        cases.push({ classname, name, ms: 0, skipped: 'not run: up failed before this check' });
        continue;
      }
      cases.push({
        classname,
        name,
        ms: r.waitedMs,
        ...(r.ok
          ? {}
          : {
              failure: {
                type: 'check',
                message: r.reason ?? 'failed',
                text: `command: ${r.command}\nreason: ${r.reason ?? ''}\nattempts: ${r.attempts}, waited ${secs(r.waitedMs)} s${c.triage.length ? `\ntriage: ${c.triage.map((t) => t.file).join(', ')}` : ''}`,
              },
            }),
        ...(r.output ? { out: r.output } : {}),
      });
    }
    for (const f of c.failures ?? [])
      cases.push(failureCase(classname, `declared failure ${f.step}`, f.ms, f.ok, f.error, f.checks));
    if (c.recovery)
      cases.push(
        failureCase(
          classname,
          'recovered after the declared failures',
          c.recovery.ms,
          c.recovery.ok,
          undefined,
          c.recovery.checks,
        ),
      );
    cases.push({
      classname,
      name: 'down',
      ms: c.down.ms,
      ...(c.down.ok
        ? {}
        : { failure: { type: 'down', message: c.down.error ?? 'failed', text: c.down.error ?? '' } }),
    });
    const leaks = c.leaks.map((l) => `${l.kind}: ${l.what}`).join('\n');
    cases.push({
      classname,
      name: 'leaks',
      ms: 0,
      ...(c.leaks.length
        ? { failure: { type: 'leak', message: `${c.leaks.length} left after down`, text: leaks } }
        : {}),
    });
    return cases;
  });
}

/** A declared failure (or the recovery after them): failed when a check went against it. */
function failureCase(
  classname: string,
  name: string,
  ms: number,
  ok: boolean,
  error: string | undefined,
  checks: FailureCheck[],
): Case {
  const against = checks.filter((k) => !k.ok);
  const lines = against.map(
    (k) =>
      `${k.name} on ${k.node}: ${k.broken ? `still passes: the step did not break it${k.detail ? ` (${k.detail})` : ''}` : (k.reason ?? 'failed')}`,
  );
  return {
    classname,
    name,
    ms,
    ...(ok
      ? {}
      : {
          failure: {
            type: error ? 'step' : 'check',
            message: error?.split('\n')[0] ?? lines[0] ?? 'failed',
            text: error ?? lines.join('\n'),
          },
        }),
  };
}

function caseXml(k: Case): string {
  const open = `    <testcase classname="${esc(k.classname)}" name="${esc(k.name)}" time="${secs(k.ms)}"`;
  const body = [
    k.failure &&
      `      <failure type="${esc(k.failure.type)}" message="${esc(k.failure.message)}">${esc(k.failure.text)}</failure>`,
    k.error && `      <error type="${esc(k.error.type)}" message="${esc(k.error.message)}"/>`,
    k.skipped && `      <skipped message="${esc(k.skipped)}"/>`,
    k.out && `      <system-out>${esc(k.out)}</system-out>`,
  ].filter(Boolean);
  return body.length ? `${open}>\n${body.join('\n')}\n    </testcase>` : `${open}/>`;
}

export function toJUnit(results: NightlyResults): string {
  const suites = results.labs.map((lab) => {
    const cases = casesOf(lab);
    const ms = cases.reduce((t, k) => t + k.ms, 0);
    const count = (f: (k: Case) => unknown) => cases.filter(f).length;
    return [
      `  <testsuite name="${esc(lab.lab)}" tests="${cases.length}" failures="${count((k) => k.failure)}" errors="${count((k) => k.error)}" skipped="${count((k) => k.skipped)}" time="${secs(ms)}" timestamp="${results.startedAt.replace(/\.\d+Z$/, '')}" hostname="${esc(results.host)}">`,
      '    <properties>',
      `      <property name="nodes" value="${lab.nodes}"/>`,
      `      <property name="cycles" value="${lab.cycles.length}"/>`,
      `      <property name="status" value="${lab.status}"/>`,
      '    </properties>',
      ...cases.map(caseXml),
      '  </testsuite>',
    ].join('\n');
  });
  const all = results.labs.flatMap(casesOf);
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="lab nightly" tests="${all.length}" failures="${all.filter((k) => k.failure).length}" errors="${all.filter((k) => k.error).length}" time="${secs(Date.parse(results.finishedAt) - Date.parse(results.startedAt))}">`,
    ...suites,
    '</testsuites>',
    '',
  ].join('\n');
}
