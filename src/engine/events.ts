// The event log: every step, wait and check of a run as JSON lines in the instance's state folder.
import { appendFileSync } from 'node:fs';

export type LabEvent =
  | { type: 'run-start'; command: string; lab: string; instance: string }
  | { type: 'step-start'; node?: string; step: string }
  | { type: 'step-end'; node?: string; step: string; ms: number; ok: boolean; error?: string }
  | {
      type: 'check';
      check: string;
      node: string;
      ok: boolean;
      attempts: number;
      waitedMs: number;
      reason?: string;
      detail?: string;
    }
  | { type: 'run-end'; ok: boolean; ms: number; exitCode: number };

export class EventLog {
  private readonly started = Date.now();
  constructor(private readonly file?: string) {}

  emit(event: LabEvent): void {
    if (!this.file) return;
    appendFileSync(
      this.file,
      `${JSON.stringify({ t: Date.now() - this.started, at: new Date().toISOString(), ...event })}\n`,
    );
  }

  /** Times a step and logs its start and end (with the error, if any). */
  async step<T>(step: string, node: string | undefined, fn: () => Promise<T>): Promise<T> {
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
