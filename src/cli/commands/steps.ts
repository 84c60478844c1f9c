// lab steps / lab step: where an instance stands in its lab's tutorial, and the next step run and proven.

import type { Lab, Step } from '../../core/lab.js';
import { runCheckOnce } from '../../engine/checks.js';
import { instanceDir, readInstance } from '../../engine/instances.js';
import { describeMiss, describeProof, proveStep, runStepEffects } from '../../engine/run-step.js';
import { openShells } from '../../engine/shells.js';
import { journalOf, requireInstance } from '../../engine/state.js';
import { CheckError, DefinitionError, ExecutionError } from '../../errors.js';
import { openLab } from '../../model/open.js';
import { instanceFlag } from '../../names.js';
import { labFileOf } from '../../paths.js';
import { printable, printableLine } from '../../printable.js';
import { describeHostCode, hostCodeOf, nextStep } from '../../steps/plan.js';
import { readStanding, recordChecks } from '../../steps/standing.js';
import type { SshShell } from '../../transport/ssh.js';
import { labNameOf } from '../lab-name.js';

type State = 'done' | 'next' | 'pending' | 'optional';

const iFlag = instanceFlag;

/** One try of each check the steps name, on a running instance. */
async function tryChecks(lab: Lab, shells: Map<string, SshShell>, names: Set<string>) {
  const outcomes = await Promise.all(
    lab.checks
      .filter((c) => names.has(c.name))
      .map(async (c) => {
        const once = await runCheckOnce(lab, c, shells.get(c.node)!).catch((e: Error) => ({
          verdict: { ok: false as const, reason: e.message },
        }));
        return [c.name, once.verdict] as const;
      }),
  );
  return new Map(outcomes);
}

export async function steps(ref: string, opts: { instance: string; json?: boolean }): Promise<void> {
  const { lab: name, instance } = await labNameOf(ref, opts.instance);
  const record = readInstance(instanceDir(name, instance));
  const { lab } = openLab(record?.file ?? labFileOf(ref), record?.sets ?? []);
  const done = record ? readStanding(record.dir).done : [];
  const next = nextStep(lab, done);
  const names = new Set(lab.steps.flatMap((s) => [...s.checks, ...s.breaks]));
  let verdicts = new Map<string, { ok: boolean; reason?: string; detail?: string }>();
  if (record?.status === 'up' || record?.status === 'failed') {
    const shells = await openShells(record);
    try {
      verdicts = await tryChecks(lab, shells, names);
    } finally {
      for (const s of shells.values()) s.close();
    }
    recordChecks(
      record.dir,
      [...verdicts].map(([n, v]) => ({ name: n, ok: v.ok })),
    );
  }
  const stateOfCheck = (c: string) => {
    const v = verdicts.get(c);
    return {
      name: c,
      state: v ? (v.ok ? 'passed' : 'failed') : 'not run',
      ...(v && !v.ok ? { reason: v.reason } : {}),
    };
  };
  const stateOf = (s: Step): State =>
    done.includes(s.name) ? 'done' : s === next ? 'next' : s.optional ? 'optional' : 'pending';
  const list = lab.steps.map((s, i) => ({
    number: i + 1,
    name: s.name,
    state: stateOf(s),
    description: s.description,
    roles: s.roles,
    script: s.script,
    checks: s.checks.map(stateOfCheck),
    // a trap's: they pass before it and fail after
    ...(s.breaks.length ? { breaks: s.breaks.map(stateOfCheck) } : {}),
  }));
  if (opts.json) {
    console.log(
      JSON.stringify(
        {
          lab: lab.name,
          instance,
          up: !!record,
          done,
          next: next?.name ?? null,
          steps: list,
          hostCode: hostCodeOf(lab),
        },
        null,
        2,
      ),
    );
    return;
  }
  if (!lab.steps.length) {
    console.log(`${lab.name} has no steps: lab up ${lab.name} brings it up whole.`);
    return;
  }
  const regular = lab.steps.filter((s) => !s.optional);
  const traps = lab.steps.filter((s) => s.optional && done.includes(s.name)).map((s) => s.name);
  console.log(
    record
      ? `${lab.name} (instance ${instance}): ${regular.filter((s) => done.includes(s.name)).length} of ${regular.length} steps done${traps.length ? `, broken on purpose by ${traps.join(', ')}` : ''}${next ? `, next: ${next.name} (lab step ${lab.name}${iFlag(instance)})` : ''}`
      : `${lab.name}: not up. lab up ${lab.name}${iFlag(instance)} --to STEP brings a fresh instance to the end of a step.`,
  );
  for (const line of describeHostCode(hostCodeOf(lab))) console.log(printableLine(line));
  const mark: Record<State, string> = { done: '✔', next: '➜', pending: ' ', optional: '?' };
  const width = Math.max(18, ...list.map((s) => s.name.length));
  for (const s of list) {
    console.log(
      `${mark[s.state]} ${String(s.number).padStart(2)} ${s.name.padEnd(width)} ${s.state.padEnd(8)} ${printableLine(s.description)}`,
    );
    for (const c of [...s.checks, ...(s.breaks ?? []).map((b) => ({ ...b, broken: true }))])
      console.log(
        `       ${c.state === 'passed' ? '✔' : c.state === 'failed' ? '✖' : '·'} ${c.name}: ${c.state}${'broken' in c ? ' (this step breaks it)' : ''}${c.reason ? ` (${printable(c.reason.split('\n')[0])})` : ''}`,
      );
  }
}

export async function step(
  ref: string,
  name: string | undefined,
  opts: { instance: string; json?: boolean },
): Promise<void> {
  const { lab: labName, instance } = await labNameOf(ref, opts.instance);
  const record = requireInstance(labName, instance);
  const { lab } = openLab(record.file, record.sets);
  const standing = readStanding(record.dir);
  const step = nextStep(lab, standing.done, name);
  const i = iFlag(instance);
  if (!step) {
    if (opts.json) console.log(JSON.stringify({ lab: lab.name, instance, step: null, done: standing.done }));
    else console.log(`${lab.name} (instance ${instance}): every step is done.`);
    return;
  }
  if (standing.done.includes(step.name))
    throw new DefinitionError(`step ${step.name} has already run on ${lab.name} (instance ${instance})`, {
      details: [
        `To see it again from a fresh start: lab down ${lab.name}${i} && lab up ${lab.name}${i} --to ${step.name}`,
      ],
    });
  const index = lab.steps.indexOf(step);
  const missing = lab.steps.slice(0, index).filter((s) => !s.optional && !standing.done.includes(s.name));
  if (missing.length)
    throw new DefinitionError(
      `step ${step.name} comes after ${missing.map((s) => s.name).join(', ')}, which have not run`,
      {
        details: [
          `Run them first (lab step ${lab.name}${i}), or rebuild: lab down ${lab.name}${i} && lab up ${lab.name}${i} --to ${step.name}`,
        ],
      },
    );
  const shells = await openShells(record);
  const say = (line: string) => {
    // a step's description and its checks' reasons come from the lab file and the nodes
    if (!opts.json) console.log(printable(line));
  };
  const started = Date.now();
  try {
    say(`step ${index + 1}/${lab.steps.length} ${step.name}: ${step.description}`);
    try {
      await runStepEffects(
        lab,
        step,
        journalOf(record.dir),
        (n) => shells.get(n)!,
        (l) => say(`  ${l}`),
      );
    } catch (e) {
      throw new ExecutionError((e as Error).message, {
        cause: e,
        details: [
          `The step did not complete: the instance is as it left it. To retry from a clean state: lab down ${lab.name}${i} && lab up ${lab.name}${i} --to ${lab.steps[index - 1]?.name ?? step.name}`,
        ],
      });
    }
    standing.done.push(step.name);
    recordChecks(record.dir, [], standing.done);
    const proofs = await proveStep(lab, step, (n) => shells.get(n)!, {
      onProof: (p) => say(describeProof(p)),
    });
    recordChecks(
      record.dir,
      proofs.map((p) => ({ name: p.outcome.check.name, ok: p.outcome.verdict.ok })),
    );
    const missed = proofs.filter((p) => !p.ok);
    const entry = (p: (typeof proofs)[number]) => ({
      check: p.outcome.check.name,
      node: p.outcome.check.node,
      ok: p.ok,
      ms: p.outcome.waitedMs,
      ...(p.outcome.verdict.ok ? {} : { reason: p.outcome.verdict.reason }),
    });
    if (opts.json)
      console.log(
        JSON.stringify({
          lab: lab.name,
          instance,
          step: step.name,
          ok: !missed.length,
          ms: Date.now() - started,
          checks: proofs.filter((p) => !p.broken).map(entry),
          ...(step.breaks.length ? { breaks: proofs.filter((p) => p.broken).map(entry) } : {}),
        }),
      );
    if (missed.length)
      throw new CheckError(
        `step ${step.name}: ${missed.length} of ${proofs.length} checks ${step.breaks.length ? 'went against the step (a broken check that still passes counts)' : 'failed'}`,
        { details: missed.flatMap(describeMiss) },
      );
    if (step.breaks.length)
      say(
        `${step.name} broke what it meant to; lab check ${lab.name}${i} shows every check it affects, and lab down ${lab.name}${i} && lab up ${lab.name}${i} rebuilds the lab whole`,
      );
    const after = nextStep(lab, standing.done);
    say(after ? `next: ${after.name} (lab step ${lab.name}${i})` : `${lab.name}: every step is done.`);
  } finally {
    for (const s of shells.values()) s.close();
  }
}
