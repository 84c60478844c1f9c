// Running checks: the show (a command on a node, or one per repeat) and the judgement, under a named wait.
import { renderCheckCommand } from '../core/command-context.js';
import type { Check, Lab } from '../core/lab.js';
import { LabTemplateError } from '../core/lab-template.js';
import { outputTail, printable } from '../printable.js';
import type { CommandResult, NodeShell } from '../transport/shell.js';
import { judge } from './judges.js';
import type { Verdict } from './verdict.js';
import { poll } from './wait.js';

export interface CheckOutcome {
  check: Check;
  verdict: Verdict;
  results: CommandResult[];
  attempts: number;
  waitedMs: number;
  /** What reports and failure messages show of the first command's output, taken as the check ended;
   * its results then keep no output (see keptOutcome). */
  shown?: Shown;
}

interface Shown {
  /** The last 64 KiB, saying how much was cut before. */
  tail: string;
  /** The first twelve lines, each of at most 500 characters. */
  head: string[];
}

/** A copy that holds none of the string it came from: V8 keeps a whole string alive for any slice of it. */
const own = (s: string): string => Buffer.from(s, 'utf8').toString('utf8');

function shownOf(result: CommandResult | undefined): Shown {
  if (!result) return { tail: '', head: [] };
  const text = (result.stdout + result.stderr).trim();
  return {
    tail: own(outputTail(text)),
    head: text
      .split('\n', 12)
      .map((l) => own(l.length > 500 ? `${l.slice(0, 500)} [${l.length - 500} characters cut]` : l)),
  };
}

/** An outcome that keeps what is shown of its output, not the output: lab up keeps every outcome to
 * its end, and a thousand leaves' routing tables (400 KB each, and each spine's 992 sessions as JSON)
 * took it to 1.5 GB. */
function keptOutcome(o: Omit<CheckOutcome, 'shown'>): CheckOutcome {
  return {
    ...o,
    shown: shownOf(o.results[0]),
    results: o.results.map((r) => ({ ...r, stdout: '', stderr: '' })),
  };
}

/** The commands of one round: the command itself, or one per repeat with its variable bound. */
export function commandsOf(check: Check, lab?: Lab): string[] {
  const run = lab ? renderCheckCommand(check.run, lab) : check.run;
  check = { ...check, run };
  if (!check.repeat) return [check.run];
  const { count, var: name, start } = check.repeat;
  return Array.from({ length: count }, (_, i) =>
    name ? check.run.replaceAll(`\${${name}}`, String(start + i)) : check.run,
  );
}

/** The most of a check command's stdout (and of its stderr) that is kept: far above what any judge
 * reads (a thousand-node routing table), far below what fills lab's memory (a node printing 400 MB
 * took lab up to 2 GB, and lab check printed it all). */
export const CHECK_OUTPUT_MAX = 8 * 1024 * 1024;

/** Runs the commands at most `width` at a time over one connection (sshd allows 64 here). */
async function runAll(shell: NodeShell, commands: string[], width = 20): Promise<CommandResult[]> {
  const results: CommandResult[] = new Array(commands.length);
  let next = 0;
  const worker = async () => {
    while (next < commands.length) {
      const i = next++;
      results[i] = await shell.exec(commands[i], { timeoutMs: 10_000, maxOutputChars: CHECK_OUTPUT_MAX });
    }
  };
  await Promise.all(Array.from({ length: Math.min(width, commands.length) }, worker));
  return results;
}

export async function runCheckOnce(
  lab: Lab,
  check: Check,
  shell: NodeShell,
): Promise<{ verdict: Verdict; results: CommandResult[] }> {
  const results = await runAll(shell, commandsOf(check, lab));
  return { verdict: withHeldOutput(judge(lab, check, results), results), results };
}

/** A verdict that says when a command's output was held by a process it left in the background: the
 * verdict is its exit status and what it printed until then, which a person may not expect. */
function withHeldOutput(verdict: Verdict, results: CommandResult[]): Verdict {
  if (!results.some((r) => r.heldOpen)) return verdict;
  const note = 'a process the command left in the background held its output: judged at its exit';
  return verdict.ok
    ? { ok: true, detail: `${verdict.detail ?? 'passed'} (${note})` }
    : { ok: false, reason: `${verdict.reason} (${note})` };
}

type WaitOpts = { signal?: AbortSignal; timeoutMs?: number };

/** Re-runs the check until its verdict is the one wanted (a pass; a failure for a trap's broken
 * check) or its named wait runs out. A command that cannot run counts as a failure. */
async function waitForVerdict(
  lab: Lab,
  check: Check,
  shell: NodeShell,
  wanted: boolean,
  opts: WaitOpts,
): Promise<CheckOutcome> {
  const r = await poll(
    async () => {
      try {
        const once = await runCheckOnce(lab, check, shell);
        return { ok: once.verdict.ok === wanted, value: once };
      } catch (e) {
        // a template lint refuses fails the same way every try: no wait makes it pass
        if (e instanceof LabTemplateError) throw e;
        // the node's connection may be coming back: keep waiting, keep the reason
        return {
          ok: !wanted,
          value: { verdict: { ok: false, reason: (e as Error).message } as Verdict, results: [] },
        };
      }
    },
    opts.timeoutMs ?? check.timeout * 1000,
    opts.signal,
  );
  return keptOutcome({
    check,
    verdict: r.value.verdict,
    results: r.value.results,
    attempts: r.attempts,
    waitedMs: r.waitedMs,
  });
}

/** Re-runs the check until it passes or its named wait runs out. */
export const waitForCheck = (lab: Lab, check: Check, shell: NodeShell, opts: WaitOpts = {}) =>
  waitForVerdict(lab, check, shell, true, opts);

/** Re-runs the check until it fails (a trap's broken check) or its named wait runs out: the outcome's
 * verdict is the failure, or the pass that outlasted the wait. */
export const waitForFailure = (lab: Lab, check: Check, shell: NodeShell, opts: WaitOpts = {}) =>
  waitForVerdict(lab, check, shell, false, opts);

/** One check in its turn, as both `lab up` and `lab check` run them: in the lab's file order, each
 * under its named wait (`lab check` waits only with --wait), and once a check has failed, the rest get
 * one try each, so that the report shows them all without waiting out every wait. */
export function checkInTurn(
  lab: Lab,
  check: Check,
  shell: NodeShell,
  opts: { wait: boolean; failedBefore: boolean; signal?: AbortSignal },
): Promise<CheckOutcome> {
  const oneTry = !opts.wait || opts.failedBefore;
  return waitForCheck(lab, check, shell, { signal: opts.signal, ...(oneTry ? { timeoutMs: 0 } : {}) });
}

/**
 * Checks in file order, where the members of a group check (consecutive checks of one name, one per
 * node of the group) run at once: they are one proof on nodes that came up together, and fifty
 * vRouters checked one after another cost fifty round trips. `next(check, failedBefore)` gives each
 * check's outcome in turn; the members of its group start with the first of them.
 */
export function inTurn(
  lab: Lab,
  checks: Check[],
  shellOf: (node: string) => NodeShell,
  opts: { wait: boolean; signal?: AbortSignal },
): (check: Check, failedBefore: boolean) => Promise<CheckOutcome> {
  const started = new Map<Check, Promise<CheckOutcome>>();
  return (check, failedBefore) => {
    if (!started.has(check)) {
      const first = checks.indexOf(check);
      for (let i = first; i < checks.length && (i === first || checks[i].name === check.name); i++) {
        const member = checks[i];
        const o = checkInTurn(lab, member, shellOf(member.node), { ...opts, failedBefore });
        o.catch(() => {}); // awaited in its turn: a member failing before then is not unhandled
        started.set(member, o);
      }
    }
    return started.get(check)!;
  };
}

/** Every check of the lab in file order, a group's members at once (see inTurn). */
export async function runChecksInOrder(
  lab: Lab,
  shellOf: (node: string) => NodeShell,
  opts: { wait: boolean; signal?: AbortSignal },
): Promise<CheckOutcome[]> {
  const outcomes: CheckOutcome[] = [];
  const next = inTurn(lab, lab.checks, shellOf, opts);
  for (const check of lab.checks) {
    if (opts.signal?.aborted) break; // the rest would say nothing (lab down removed the lab)
    outcomes.push(
      await next(
        check,
        outcomes.some((o) => !o.verdict.ok),
      ),
    );
  }
  return outcomes;
}

/** The first command's output as judged, its last 64 KiB (saying how much was cut before): what
 * reports show beside a verdict. */
export function lastOutput(o: CheckOutcome): string {
  return (o.shown ?? shownOf(o.results[0])).tail;
}

/** The command as it ran on the node (templates rendered), not as the lab file writes it. */
export function commandShown(o: CheckOutcome): string {
  return o.results[0]?.command ?? o.check.run;
}

/** The line `lab check` prints for one check (and the workshop pages show): its mark, name, node and
 * detail or reason, as the node said it (the caller makes it safe for its terminal or page). */
export function verdictLine(check: { name: string; node: string }, verdict: Verdict): string {
  return `${verdict.ok ? '✔' : '✖'} ${check.name} on ${check.node}: ${verdict.ok ? (verdict.detail ?? 'passed') : verdict.reason}`;
}

/** One line per failed check: check, node, command, reason, time waited, and the last output. */
export function describeFailure(o: CheckOutcome): string[] {
  const reason = o.verdict.ok ? '' : o.verdict.reason;
  // twelve lines of at most 500 characters each: one line of a node's output can be megabytes
  const output = (o.shown ?? shownOf(o.results[0])).head;
  // what a node printed reaches a terminal: its escape sequences shown, not obeyed
  return [
    `check ${o.check.name} on ${o.check.node} failed after ${(o.waitedMs / 1000).toFixed(1)} s (wait ${o.check.wait}: ${o.check.timeout} s, ${o.attempts} attempts): ${printable(reason)}`,
    `  command: ${printable(commandShown(o))}`,
    ...(output.length ? ['  last output:', ...output.map((l) => `    ${printable(l)}`)] : []),
  ];
}
