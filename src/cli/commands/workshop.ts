// lab up LAB --instances N / lab down LAB --instances N: one isolated instance per attendee, side by side.
import { formatIssue, type Issue } from '../../core/issue.js';
import {
  type AttendeeOutcome,
  DEFAULT_PREFIX,
  parseCount,
  parseParallel,
  verifyAttendeeNames,
  workshopDown,
  workshopUp,
} from '../../engine/workshop.js';
import { AttendeesError, DefinitionError, LabError } from '../../errors.js';
import { defaultInstance } from '../../names.js';
import { labFileOf } from '../../paths.js';
import { printable } from '../../printable.js';
import { labNameOf } from '../lab-name.js';
import { allowedBanner } from '../output.js';

export interface WorkshopFlags {
  instances: string;
  prefix?: string;
  parallel?: string;
  instance?: string;
}

/** The flags of a workshop, all judged before anything is created. */
function workshopOf(opts: WorkshopFlags & { plan?: boolean; provider?: string }) {
  const count = parseCount(opts.instances);
  // an -i given on the command line; $LAB_INSTANCE (the default of -i) does not name attendees
  if (opts.instance && opts.instance !== defaultInstance())
    throw new DefinitionError(
      `--instances names the attendees' instances PREFIX-1..N: give --prefix ${opts.instance} instead of -i`,
    );
  if (opts.plan) throw new DefinitionError('--plan prints a Vagrant plan: not with --instances');
  const prefix = opts.prefix ?? DEFAULT_PREFIX;
  verifyAttendeeNames(prefix, count);
  return { count, prefix, parallel: parseParallel(opts.parallel) };
}

const pFlag = (prefix: string) => (prefix === DEFAULT_PREFIX ? '' : ` --prefix ${prefix}`);

export async function upWorkshop(
  ref: string,
  opts: WorkshopFlags & {
    set: string[];
    allow?: string[];
    to?: string;
    provider?: string;
    plan?: boolean;
  },
  signal: AbortSignal,
): Promise<void> {
  const { count, prefix, parallel } = workshopOf(opts);
  const file = labFileOf(ref);
  let allowedShown = false;
  const at = (o: AttendeeOutcome) => `at ${(o.ms / 1000).toFixed(2)} s`;
  const line = (o: AttendeeOutcome) =>
    o.ok
      ? `  ${o.instance.padEnd(16)} up and proven ${at(o)}`
      : signal.aborted
        ? `  ${o.instance.padEnd(16)} interrupted ${at(o)}: ${printable(String(o.error))}`
        : `  ${o.instance.padEnd(16)} FAILED (exit ${o.exitCode}) ${at(o)}: ${printable(String(o.error))}`;
  const { lab, outcomes, ms } = await workshopUp(file, {
    set: opts.set,
    allow: opts.allow,
    to: opts.to,
    provider: opts.provider,
    signal,
    count,
    prefix,
    parallel,
    onAllowed: (name: string, issues: Issue[]) => {
      if (allowedShown) return; // the same for every attendee
      allowedShown = true;
      for (const l of allowedBanner(name, issues)) console.error(l);
      for (const i of issues) console.error(`  ${printable(formatIssue(i)).replaceAll('\n', '\n  ')}`);
    },
    onSettled: (o) => console.log(line(o)),
  });
  const failed = outcomes.filter((o) => !o.ok);
  const where = opts.to ? ` at the end of step ${opts.to}` : '';
  console.log(
    `\n${lab}: ${outcomes.length - failed.length} of ${outcomes.length} attendees' instances up${where} and proven in ${(ms / 1000).toFixed(2)} s (${Math.min(parallel, count)} at a time).`,
  );
  console.log(
    "Each attendee's folder holds config (an OpenSSH config naming their nodes) and id_ed25519 (their key: every other attendee's nodes refuse it; its folder is hidden on every node):",
  );
  for (const o of outcomes)
    console.log(`  ${o.instance.padEnd(16)} ${o.sshDir}${o.ok ? '' : `   (failed: exit ${o.exitCode})`}`);
  const first = outcomes[0];
  console.log(`  use:    ssh -F ${first.sshDir}/config NODE`);
  console.log(`  look:   lab status ${lab}        step one: lab step ${lab} -i ${first.instance}`);
  console.log(`  remove: lab down ${lab} --instances ${count}${pFlag(prefix)}`);
  if (failed.length) {
    console.log('');
    for (const o of failed) {
      console.log(`${o.instance}: ${printable(String(o.error))}`);
      for (const d of o.details ?? []) console.log(`  ${printable(d)}`);
    }
    // the exit code of the first attendee that failed: 4 a step, 5 a check, ...
    const code = failed[0].exitCode;
    throw new AttendeesError(
      `${failed.length} of ${count} attendees' instances of ${lab} failed: ${failed.map((o) => o.instance).join(', ')}`,
      code,
    );
  }
}

export async function downWorkshop(ref: string, opts: WorkshopFlags): Promise<void> {
  const { count, prefix, parallel } = workshopOf(opts);
  const { lab } = await labNameOf(ref, `${prefix}-1`);
  const started = Date.now();
  const results = await workshopDown(lab, { count, prefix, parallel });
  const removed = results.filter((r) => r.removed).length;
  const failed = results.filter((r) => r.error);
  const notUp = count - removed - failed.length;
  for (const r of failed)
    console.log(`  ${r.instance.padEnd(16)} FAILED: ${printable(r.error?.message ?? '')}`);
  console.log(
    `${lab}: ${removed} of ${count} attendees' instances (${prefix}-1..${count}) removed in ${((Date.now() - started) / 1000).toFixed(2)} s${notUp ? `; ${notUp} ${notUp === 1 ? 'was' : 'were'} not up` : ''}`,
  );
  if (failed.length) {
    const first = failed[0].error;
    const code = first instanceof LabError ? first.exitCode : 1;
    throw new AttendeesError(
      `${failed.length} of ${count} could not be removed: ${failed.map((r) => r.instance).join(', ')}`,
      code,
    );
  }
}
