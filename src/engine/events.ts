// The event log: every step, wait and check of a run as JSON lines in the instance's state folder.
import { appendFileSync } from 'node:fs';

/** How a check ended: the event log records it, the nightly results (report/results.ts) carry it on. */
export interface CheckRecord {
  ok: boolean;
  attempts: number;
  waitedMs: number;
  reason?: string;
  detail?: string;
  /** the last output judged, trimmed: reports show it */
  output?: string;
}

export type LabEvent =
  | { type: 'run-start'; command: string; lab: string; instance: string }
  | { type: 'step-start'; node?: string; step: string }
  | { type: 'step-end'; node?: string; step: string; ms: number; ok: boolean; error?: string }
  | ({ type: 'check'; check: string; node: string } & CheckRecord)
  | { type: 'run-end'; ok: boolean; ms: number; exitCode: number };

export class EventLog {
  private readonly started = Date.now();
  /** `echo` also gets every event as it happens (lab up --verbose prints them). */
  constructor(
    private readonly file?: string,
    private readonly echo?: (event: LabEvent, t: number) => void,
  ) {}

  emit(event: LabEvent): void {
    const t = Date.now() - this.started;
    this.echo?.(event, t);
    if (!this.file) return;
    appendFileSync(this.file, `${JSON.stringify({ t, at: new Date().toISOString(), ...event })}\n`);
  }

  /** Times a span of the run (boot, ssh, roles, a step's script) and logs its start and end (with the
   * error, if any); the log's records keep their names, step-start and step-end, for its readers. */
  async span<T>(step: string, node: string | undefined, fn: () => Promise<T>): Promise<T> {
    const t = Date.now();
    this.emit({ type: 'step-start', node, step });
    try {
      const r = await fn();
      this.emit({ type: 'step-end', node, step, ms: Date.now() - t, ok: true });
      return r;
    } catch (e) {
      this.emit({ type: 'step-end', node, step, ms: Date.now() - t, ok: false, error: (e as Error).message });
      throw e;
    }
  }
}

/** One line for a person: when, where, what, how long (lab up --verbose). */
export function describeEvent(e: LabEvent, t: number): string {
  const at = `[${(t / 1000).toFixed(3).padStart(7)} s]`;
  const where = 'node' in e && e.node ? `${e.node}: ` : '';
  switch (e.type) {
    case 'run-start':
      return `${at} ${e.command} ${e.lab} (instance ${e.instance})`;
    case 'step-start':
      return `${at} ${where}${e.step} ...`;
    case 'step-end':
      return `${at} ${where}${e.step} ${e.ok ? 'done' : `failed: ${e.error}`} in ${e.ms} ms`;
    case 'check':
      return `${at} check ${e.check} on ${e.node}: ${e.ok ? 'passed' : 'failed'} after ${e.attempts} tries, ${e.waitedMs} ms${e.ok ? (e.detail ? `: ${e.detail}` : '') : `: ${e.reason}`}`;
    case 'run-end':
      return `${at} ${e.ok ? 'done' : 'failed'} in ${e.ms} ms (exit ${e.exitCode})`;
  }
}
