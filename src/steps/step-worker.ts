// The thread a step script runs in (steps/api.ts starts it): its node commands go to the engine,
// which owns the SSH connections; its end, by returning or throwing, is posted back. Ending the
// process (process.exit) ends only this thread, which the engine reports as the step's failure.
import { parentPort, workerData } from 'node:worker_threads';
import { ProcessOutput } from 'zx/core';
import type { Lab, Step } from '../core/lab.js';
import type { FromWorker, ToWorker } from './api.js';
import { dollarOf } from './node-dollar.js';
import { RemoteChild } from './remote-spawn.js';
import { type StepScript, stepApi } from './step-api.js';

const port = parentPort!;
const { lab, step, files, script } = workerData as {
  lab: Lab;
  step: Step;
  files: Record<string, string[]>;
  script: string;
};
const post = (m: FromWorker) => port.postMessage(m);
const children = new Map<number, RemoteChild>();
let nextId = 1;
// loaded: the engine answers go, or stops this thread (the step was interrupted meanwhile) before
// the script is even imported
let go: () => void = () => undefined;
const started = new Promise<void>((resolve) => {
  go = resolve;
});
post({ type: 'ready' });

port.on('message', (m: ToWorker) => {
  if (m.type === 'go') return go();
  const child = children.get(m.id);
  if (!child) return;
  if (m.type === 'out' || m.type === 'err')
    (m.type === 'out' ? child.stdout : child.stderr).write(Buffer.from(m.data));
  else if (m.type === 'error') child.emit('error', new Error(m.message));
  else {
    children.delete(m.id);
    child.finish(m.code, m.signal);
  }
});

/** A spawn for zx whose command the engine runs on the node. */
const relayedSpawn =
  (node: string) =>
  (command: string, args: readonly string[] = []) => {
    const child = new RemoteChild();
    const id = nextId++;
    children.set(id, child);
    child.attach({ signal: (signal) => post({ type: 'kill', id, signal }), close: () => undefined });
    post({ type: 'spawn', id, node, line: args.length ? [command, ...args].join(' ') : command });
    return child;
  };

try {
  await started;
  const mod = (await import(script)) as { default?: StepScript };
  if (typeof mod.default !== 'function')
    throw new Error(
      `${step.script} has no default export: write export default async ({ on, lab }) => { ... }`,
    );
  await mod.default(
    stepApi(
      lab,
      step,
      (node) => dollarOf(node, relayedSpawn(node)),
      (line) => post({ type: 'log', line }),
      (node) => files[node] ?? [],
    ),
  );
  post({ type: 'done' });
} catch (e) {
  // a zx ProcessOutput carries no command: the engine knows the last one that failed
  post({
    type: 'failed',
    message: e instanceof Error ? e.message : String(e),
    command: e instanceof ProcessOutput,
  });
}
