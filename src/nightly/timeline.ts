// A cycle's phases from the engine's event logs (events.jsonl): nothing is re-timed from outside.
import { readJsonLines } from '../host/json-lines.js';
import type { CheckResult, Phase } from '../report/results.js';

interface RawEvent {
  type: string;
  at: string;
  step?: string;
  node?: string;
  ms?: number;
  ok?: boolean;
  error?: string;
  check?: string;
  attempts?: number;
  waitedMs?: number;
  reason?: string;
  detail?: string;
  output?: string;
  exitCode?: number;
}

export function readEvents(file: string): RawEvent[] {
  return readJsonLines(file) as RawEvent[];
}

/** Phases relative to `origin` (epoch ms): steps from their end and duration, checks from their wait. */
export function phasesOf(events: RawEvent[], origin: number): Phase[] {
  const phases: Phase[] = [];
  for (const e of events) {
    const end = Date.parse(e.at) - origin;
    if (e.type === 'step-end' && e.step && e.ms !== undefined)
      phases.push({
        kind: e.step,
        ...(e.node ? { node: e.node } : {}),
        startMs: end - e.ms,
        ms: e.ms,
        ok: !!e.ok,
      });
    if (e.type === 'check' && e.check)
      phases.push({
        kind: 'check',
        node: e.node,
        name: e.check,
        startMs: end - (e.waitedMs ?? 0),
        ms: e.waitedMs ?? 0,
        ok: !!e.ok,
      });
  }
  return phases;
}

/** The checks as the engine judged them; `command` comes from the lab. */
export function checksOf(events: RawEvent[], commandOf: (check: string) => string): CheckResult[] {
  return events
    .filter((e) => e.type === 'check' && e.check)
    .map((e) => ({
      name: e.check!,
      node: e.node!,
      command: commandOf(e.check!),
      ok: !!e.ok,
      attempts: e.attempts ?? 0,
      waitedMs: e.waitedMs ?? 0,
      ...(e.reason ? { reason: e.reason } : {}),
      ...(e.detail ? { detail: e.detail } : {}),
      ...(e.output ? { output: e.output } : {}),
    }));
}

/** Nodes whose step failed during up (boot, ssh, roles), with the error. */
export function failedSteps(events: RawEvent[]): { node?: string; step: string; error: string }[] {
  return events
    .filter((e) => e.type === 'step-end' && !e.ok)
    .map((e) => ({ ...(e.node ? { node: e.node } : {}), step: e.step!, error: e.error ?? '' }));
}

export function startOf(events: RawEvent[]): number | undefined {
  const first = events.find((e) => e.type === 'run-start') ?? events[0];
  return first ? Date.parse(first.at) : undefined;
}
