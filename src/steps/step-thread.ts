// The thread step scripts run in (step-worker.ts): one per lab process, started on first use and shared
// by its step runs, each concurrent in it under a run id (a thread per run cost ~70 ms of CPU to start
// and stop, 10% of a 30-instance workshop's). Unref'd and stopped once idle, it never keeps a command
// alive. A run the engine gives up on (timeout, interruption) retires the thread: the next run starts
// a fresh one, and this one stops once the runs beside it end, with whatever is left of that script.
// After a timeout it is pinged too: a thread that does not answer (a script looping synchronously) is
// stopped at once, failing every run in it.
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { Lab, Step } from '../core/lab.js';
import { PROJECT_DIR } from '../paths.js';

/** The worker that runs step scripts: compiled, so that the tests (which run src/) use it too. */
const STEP_WORKER = join(PROJECT_DIR, 'dist', 'steps', 'step-worker.js');
/** How long a thread has to answer a ping once a run in it passed its timeout. */
const PING_MS = 1000;
/** How long an idle thread waits for the next run (a workshop's next step) before it is stopped. */
const IDLE_MS = 5000;

/** What a run needs: the lab, its step, each node's rendered files and the script's URL. */
export interface RunStart {
  lab: Lab;
  step: Step;
  files: Record<string, string[]>;
  script: string;
}

/** The thread's messages: a run's node commands, its log, and how its script ended. */
export type FromWorker =
  /** its modules are loaded: from here it may be stopped at any moment */
  | { type: 'ready' }
  | { type: 'pong' }
  /** the thread cannot go on (process.exit or an error no run can be blamed for) */
  | { type: 'fatal'; message: string }
  | { type: 'spawn'; run: number; id: number; node: string; line: string }
  | { type: 'kill'; run: number; id: number; signal: string }
  | { type: 'log'; run: number; line: string }
  | { type: 'done'; run: number }
  /** command: the failure is a command's (a zx ProcessOutput): the engine knows which one ended last. */
  | { type: 'failed'; run: number; message: string; command: boolean };

/** The engine's messages: runs to start and stop, each command's output and end, and pings. */
export type ToWorker =
  | ({ type: 'start'; run: number } & RunStart)
  /** the run has ended for the engine (timeout, interruption): its timers are cleared, nothing more runs */
  | { type: 'stop'; run: number }
  | { type: 'ping' }
  | { type: 'out'; run: number; id: number; data: Uint8Array }
  | { type: 'err'; run: number; id: number; data: Uint8Array }
  | { type: 'error'; run: number; id: number; message: string }
  | { type: 'end'; run: number; id: number; code: number | null; signal: string | null };

type RunMessage = Extract<FromWorker, { run: number }>;

/** A run as the engine holds it: its messages, and the message it fails with when the thread is lost. */
export interface StepRun {
  /** Messages for this run's commands. */
  post(m: DistributiveOmit<Extract<ToWorker, { run: number; id: number }>, 'run'>): void;
  /** The run has ended for the engine. */
  close(how: RunEnd): void;
}

/** How a run ended for the engine: its script returned or threw, or the engine gave up on it while it
 * ran (the thread is then retired: stopped once the runs beside it end, as whatever is left of the
 * script dies with it; after a timeout it is pinged too). */
export type RunEnd = 'returned' | 'timeout' | 'interrupted';
type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

interface Handlers {
  step: string;
  message(m: RunMessage): void;
  lost(message: string): void;
}

class StepThread {
  private readonly worker = new Worker(STEP_WORKER);
  private readonly runs = new Map<number, Handlers>();
  private ready = false;
  private gone = false;
  private pinging = false;
  /** retired (idle, lost, or a run in it abandoned): it takes no new run */
  private stopping = false;
  private idle?: NodeJS.Timeout;
  private fatal?: string;
  private readonly waiting: (() => void)[] = [];

  constructor() {
    this.worker.on('message', (m: FromWorker) => {
      if (m.type === 'ready') {
        this.ready = true;
        for (const f of this.waiting.splice(0)) f();
      } else if (m.type === 'pong') this.pinging = false;
      else if (m.type === 'fatal') this.fatal = m.message;
      else this.runs.get(m.run)?.message(m);
    });
    this.worker.on('error', (e) => this.lose(e.message));
    this.worker.on('exit', (code) => {
      this.gone = true;
      if (current === this) current = undefined;
      this.fail(this.fatal ?? `the step thread ended (exit code ${code}) before the step was done`);
    });
    this.worker.unref();
  }

  /** Whether a new run may join it. */
  get open(): boolean {
    return !this.gone && !this.stopping;
  }

  start(run: number, start: RunStart, handlers: Handlers): void {
    clearTimeout(this.idle);
    this.runs.set(run, handlers);
    this.worker.ref();
    // a run that ends before the thread is ready never loads its script
    this.whenReady(() => {
      if (this.runs.has(run)) this.post({ type: 'start', run, ...start });
    });
  }

  post(m: ToWorker): void {
    if (!this.gone) this.worker.postMessage(m);
  }

  close(run: number, how: RunEnd): void {
    const handlers = this.runs.get(run);
    if (!handlers) return;
    this.runs.delete(run);
    this.post({ type: 'stop', run });
    if (how !== 'returned') this.retire();
    if (how === 'timeout') this.ping(handlers.step);
    if (!this.runs.size) this.rest();
  }

  /** New runs go to a fresh thread; this one is stopped once the runs in it end. */
  private retire(): void {
    this.stopping = true;
    if (current === this) current = undefined;
  }

  /** A run passed its timeout: a thread that does not answer within PING_MS is stopped. */
  private ping(step: string): void {
    if (this.pinging || this.gone) return;
    this.pinging = true;
    this.whenReady(() => {
      this.post({ type: 'ping' });
      setTimeout(() => {
        if (this.pinging)
          this.lose(
            `the step thread stopped answering once step ${step} passed its timeout (a script in it loops without awaiting): stopped, with every step running in it`,
          );
      }, PING_MS).unref();
    });
  }

  /** No run left: the thread keeps no command alive, and stops unless a run comes soon. */
  private rest(): void {
    this.worker.unref();
    clearTimeout(this.idle);
    const stop = () => {
      this.retire();
      // a terminate() while a thread starts (loading its modules) is where Node's odd errors come from
      this.whenReady(() => void this.worker.terminate());
    };
    if (this.stopping) stop();
    else this.idle = setTimeout(stop, IDLE_MS).unref();
  }

  /** Stops the thread, failing every run in it with the message. */
  private lose(message: string): void {
    this.retire();
    this.fail(message);
    this.rest();
  }

  private fail(message: string): void {
    const runs = [...this.runs.values()];
    this.runs.clear();
    for (const r of runs) r.lost(message);
  }

  private whenReady(f: () => void): void {
    if (this.ready || this.gone) f();
    else this.waiting.push(f);
  }
}

let current: StepThread | undefined;
let nextRun = 1;

/** Starts a step run in the process's step thread (started now if there is none, or it is stopping). */
export function startRun(
  start: RunStart,
  message: (m: RunMessage) => void,
  lost: (message: string) => void,
): StepRun {
  if (!current?.open) current = new StepThread();
  const thread = current;
  const run = nextRun++;
  thread.start(run, start, { step: start.step.name, message, lost });
  return {
    post: (m) => thread.post({ ...m, run } as ToWorker),
    close: (how) => thread.close(run, how),
  };
}
