// The step thread (step-thread.ts starts it): the step runs of one lab process, each concurrent under its
// run id, each importing its script afresh (module state is per run). A run's node commands go to the
// engine, which owns the SSH connections; its end, by returning or throwing, is posted back. What a
// run does is known by AsyncLocalStorage: process.exit, an uncaught exception or an unhandled rejection
// fails the run it came from; one no run can be blamed for ends the thread (the engine fails its runs).
import { AsyncLocalStorage, createHook } from 'node:async_hooks';
import { parentPort } from 'node:worker_threads';
import { ProcessOutput } from 'zx/core';
import { dollarOf } from './node-dollar.js';
import { RemoteChild } from './remote-spawn.js';
import { type StepScript, stepApi } from './step-api.js';
import type { FromWorker, RunStart, ToWorker } from './step-thread.js';

interface Run {
  id: number;
  stopped: boolean;
  children: Map<number, RemoteChild>;
  /** Clear the timers it set: once it has ended, none of them fires. */
  timers: Set<() => void>;
}

const port = parentPort!;
const post = (m: FromWorker) => port.postMessage(m);
const runs = new Map<number, Run>();
const current = new AsyncLocalStorage<Run>();
let nextId = 1;

// every timer a run sets, from its module's top level on, is cleared when the run ends (a thread of its
// own used to end with it)
createHook({
  init(_id, type, _trigger, resource) {
    if (type !== 'Timeout' && type !== 'Immediate') return;
    const run = current.getStore();
    if (!run) return;
    const clear = () =>
      type === 'Timeout'
        ? clearTimeout(resource as NodeJS.Timeout)
        : clearImmediate(resource as NodeJS.Immediate);
    if (run.stopped) queueMicrotask(clear);
    else run.timers.add(clear);
  },
}).enable();

/** The run ends: nothing it set runs afterwards, and its commands' late output is dropped. */
function stop(run: Run): void {
  run.stopped = true;
  runs.delete(run.id);
  run.children.clear();
  for (const clear of run.timers) clear();
  run.timers.clear();
}

/** The run's end, posted once. */
function finish(run: Run, m: FromWorker): void {
  if (run.stopped) return;
  post(m);
  stop(run);
}

const failure = (run: Run, e: unknown): FromWorker => ({
  type: 'failed',
  run: run.id,
  message: e instanceof Error ? e.message : String(e),
  // a zx ProcessOutput carries no command: the engine knows the last one that failed
  command: e instanceof ProcessOutput,
});

/** Something no run can be blamed for: the thread ends, and the engine fails the runs in it. */
function fatal(message: string): never {
  post({ type: 'fatal', message });
  exit(1);
  throw new Error(message);
}

const exit = process.exit.bind(process);
process.exit = ((code?: number | string | null) => {
  const message = `its script ended the process (process.exit(${Number(code ?? 0)})) before the step was done: a step ends by returning, or fails by throwing`;
  const run = current.getStore();
  if (!run) fatal(`a step script ${message.slice('its script '.length)}`);
  finish(run, { type: 'failed', run: run.id, message, command: false });
  // unwinds the script; the run has failed whatever it catches
  throw new Error(message);
}) as typeof process.exit;

const uncaught = (e: unknown) => {
  const run = current.getStore();
  if (!run) fatal(`an error outside any step's run: ${e instanceof Error ? e.message : String(e)}`);
  finish(run, failure(run, e));
};
process.on('uncaughtException', uncaught);
process.on('unhandledRejection', uncaught);

/** A spawn for zx whose command the engine runs on the node; a stopped run's never starts. */
const relayedSpawn =
  (run: Run, node: string) =>
  (command: string, args: readonly string[] = []) => {
    const child = new RemoteChild();
    if (run.stopped) return child;
    const id = nextId++;
    run.children.set(id, child);
    child.attach({
      signal: (signal) => post({ type: 'kill', run: run.id, id, signal }),
      close: () => undefined,
    });
    post({
      type: 'spawn',
      run: run.id,
      id,
      node,
      line: args.length ? [command, ...args].join(' ') : command,
    });
    return child;
  };

async function start(id: number, { lab, step, files, script }: RunStart): Promise<void> {
  const run: Run = { id, stopped: false, children: new Map(), timers: new Set() };
  runs.set(id, run);
  await current.run(run, async () => {
    try {
      // imported afresh by each run: its module's state is its own
      const mod = (await import(`${script}?run=${id}`)) as { default?: StepScript };
      if (run.stopped) return;
      if (typeof mod.default !== 'function')
        throw new Error(
          `${step.script} has no default export: write export default async ({ on, lab }) => { ... }`,
        );
      await mod.default(
        stepApi(
          lab,
          step,
          (node) => dollarOf(node, relayedSpawn(run, node)),
          (line) => {
            if (!run.stopped) post({ type: 'log', run: id, line });
          },
          (node) => files[node] ?? [],
        ),
      );
      finish(run, { type: 'done', run: id });
    } catch (e) {
      finish(run, failure(run, e));
    }
  });
}

port.on('message', (m: ToWorker) => {
  if (m.type === 'ping') return post({ type: 'pong' });
  if (m.type === 'start') return void start(m.run, m);
  const run = runs.get(m.run);
  if (!run) return;
  if (m.type === 'stop') return stop(run);
  const child = run.children.get(m.id);
  if (!child) return;
  if (m.type === 'out' || m.type === 'err')
    (m.type === 'out' ? child.stdout : child.stderr).write(Buffer.from(m.data));
  else if (m.type === 'error') child.emit('error', new Error(m.message));
  else {
    run.children.delete(m.id);
    child.finish(m.code, m.signal);
  }
});
post({ type: 'ready' });
