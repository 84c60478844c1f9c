// The workshop's state behind one interface: who attends, where each one's instance runs, what their
// checks said and when, and the events the dashboard shows. This host's version keeps it in memory and
// the tokens in one 0600 file, so that a restarted `lab serve` keeps every attendee's link. A version
// spread over several hosts or Pods implements the same interface (docs/workshop-server.md).
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { newToken, TOKEN_SHAPE } from './tokens.js';

/** Where an attendee's instance runs: here, a state folder of this host. A multi-host version adds
 * `{ kind: 'remote', host }` or `{ kind: 'pod', namespace, pod }`, and the actions go through it. */
export type Placement = { kind: 'local'; dir: string };

export type AttendeeStatus = 'starting' | 'up' | 'failed' | 'resetting' | 'removed';

export interface Attendee {
  /** Their instance's name, also their SSH login at the gateway (attendee-3). */
  name: string;
  token: string;
  placement: Placement;
  status: AttendeeStatus;
  /** Why it failed (a lab up's message), when it did. */
  error?: string;
}

/** One Check or Run of a step: the lines `lab check` / `lab step` print, and when. */
export interface StepResult {
  step: string;
  action: 'check' | 'run';
  ok: boolean;
  at: string;
  lines: string[];
}

export interface Health {
  ok: boolean;
  problems: string[];
  at: string;
}

export interface WorkshopEvent {
  at: string;
  /** The attendee it concerns; none: the whole workshop. */
  attendee?: string;
  kind: string;
  text: string;
}

export type Change =
  | { kind: 'attendee'; attendee: string }
  | { kind: 'message'; text: string }
  | { kind: 'event'; event: WorkshopEvent }
  | { kind: 'ended' };

export interface WorkshopState {
  readonly instructorToken: string;
  attendees(): Attendee[];
  attendee(name: string): Attendee | undefined;
  /** Adds an attendee (a fresh token, kept from an earlier run when the file holds one) or updates one. */
  put(a: Omit<Attendee, 'token'> & { token?: string }): Attendee;
  results(name: string): StepResult[];
  addResult(name: string, r: StepResult): void;
  health(name: string): Health | undefined;
  setHealth(name: string, h: Health): void;
  message(): string | undefined;
  setMessage(text: string): void;
  events(): WorkshopEvent[];
  record(e: Omit<WorkshopEvent, 'at'>): void;
  end(): void;
  /** Told every change; returns the unsubscribe. */
  subscribe(fn: (c: Change) => void): () => void;
}

const MAX_EVENTS = 500;
const MAX_RESULTS = 50;

/** The tokens of one workshop (lab, prefix), in a 0600 file of the state root. */
export class LocalWorkshopState implements WorkshopState {
  readonly instructorToken: string;
  private readonly list: Attendee[] = [];
  private readonly kept: Record<string, string>;
  private readonly stepResults = new Map<string, StepResult[]>();
  private readonly healths = new Map<string, Health>();
  private readonly log: WorkshopEvent[] = [];
  private readonly listeners = new Set<(c: Change) => void>();
  private text?: string;

  constructor(private readonly file: string) {
    const saved = readSaved(file);
    this.instructorToken = saved.instructor ?? newToken();
    this.kept = saved.attendees;
    this.save();
  }

  attendees(): Attendee[] {
    return [...this.list];
  }
  attendee(name: string): Attendee | undefined {
    return this.list.find((a) => a.name === name);
  }
  put(a: Omit<Attendee, 'token'> & { token?: string }): Attendee {
    const old = this.attendee(a.name);
    const next: Attendee = { ...a, token: old?.token ?? a.token ?? this.kept[a.name] ?? newToken() };
    if (old) Object.assign(old, next);
    else this.list.push(next);
    if (this.kept[a.name] !== next.token) {
      this.kept[a.name] = next.token;
      this.save();
    }
    this.emit({ kind: 'attendee', attendee: a.name });
    return old ?? next;
  }
  results(name: string): StepResult[] {
    return this.stepResults.get(name) ?? [];
  }
  addResult(name: string, r: StepResult): void {
    this.stepResults.set(name, [...this.results(name), r].slice(-MAX_RESULTS));
    this.emit({ kind: 'attendee', attendee: name });
  }
  health(name: string): Health | undefined {
    return this.healths.get(name);
  }
  setHealth(name: string, h: Health): void {
    const old = this.healths.get(name);
    this.healths.set(name, h);
    if (!old || old.ok !== h.ok || old.problems.join() !== h.problems.join())
      this.emit({ kind: 'attendee', attendee: name });
  }
  message(): string | undefined {
    return this.text;
  }
  setMessage(text: string): void {
    this.text = text;
    this.emit({ kind: 'message', text });
  }
  events(): WorkshopEvent[] {
    return [...this.log];
  }
  record(e: Omit<WorkshopEvent, 'at'>): void {
    const event = { at: new Date().toISOString(), ...e };
    this.log.push(event);
    if (this.log.length > MAX_EVENTS) this.log.shift();
    this.emit({ kind: 'event', event });
  }
  end(): void {
    this.emit({ kind: 'ended' });
  }
  subscribe(fn: (c: Change) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  private emit(c: Change) {
    for (const fn of this.listeners) fn(c);
  }
  private save() {
    mkdirSync(dirname(this.file), { recursive: true, mode: 0o700 });
    writeFileSync(
      this.file,
      `${JSON.stringify({ instructor: this.instructorToken, attendees: this.kept }, null, 2)}\n`,
      { mode: 0o600 },
    );
    chmodSync(this.file, 0o600);
  }
}

function readSaved(file: string): { instructor?: string; attendees: Record<string, string> } {
  if (!existsSync(file)) return { attendees: {} };
  try {
    const raw = JSON.parse(readFileSync(file, 'utf8')) as { instructor?: unknown; attendees?: unknown };
    const ok = (t: unknown): t is string => typeof t === 'string' && TOKEN_SHAPE.test(t);
    const attendees = Object.fromEntries(
      Object.entries((raw.attendees as Record<string, unknown>) ?? {}).filter(([, t]) => ok(t)),
    ) as Record<string, string>;
    return { instructor: ok(raw.instructor) ? raw.instructor : undefined, attendees };
  } catch {
    return { attendees: {} }; // damaged: new tokens, new links
  }
}
