// Where an instance stands in its lab's steps, and how its checks went last: steps.json in its folder.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface StepStanding {
  /** Steps whose roles and script have run, in order. */
  done: string[];
  /** Each check's result the last time up, step or check ran it. */
  checks: Record<string, { ok: boolean; at: string }>;
}

const fileOf = (dir: string) => join(dir, 'steps.json');

export function readStanding(dir: string): StepStanding {
  if (!existsSync(fileOf(dir))) return { done: [], checks: {} };
  try {
    const p = JSON.parse(readFileSync(fileOf(dir), 'utf8')) as Partial<StepStanding>;
    return { done: p.done ?? [], checks: p.checks ?? {} };
  } catch {
    return { done: [], checks: {} }; // cut short by a crash: nothing is known to be done
  }
}

export function writeStanding(dir: string, standing: StepStanding): void {
  writeFileSync(fileOf(dir), `${JSON.stringify(standing, null, 2)}\n`);
}

/** Records check results (from any command that ran checks). */
export function recordChecks(dir: string, results: { name: string; ok: boolean }[], done?: string[]): void {
  const p = readStanding(dir);
  const at = new Date().toISOString();
  for (const r of results) p.checks[r.name] = { ok: r.ok, at };
  if (done) p.done = done;
  writeStanding(dir, p);
}
