// A step's script run in a worker thread of its own (step-worker.ts), its node commands relayed to the
// engine's connections; what the script receives is step-api.ts.
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { RenderedFile } from '../contracts/role.js';
import type { Lab, Step } from '../core/lab.js';
import { PROJECT_DIR } from '../paths.js';
import { renderLab } from '../render/render-lab.js';
import { DEFAULT_STEP_TIMEOUT_S } from './plan.js';
import { type CommandEnd, type Connection, type RemoteChild, remoteSpawn } from './remote-spawn.js';

export type { StepApi, StepScript } from './step-api.js';

/** Reaches a node: the caller owns the connections (the engine's, or another provider's transport). */
export type ConnectionOf = (node: string) => Connection;

/** A step failed: names the step, and the node and command when a command failed. */
export class StepScriptError extends Error {
  constructor(
    readonly step: string,
    override readonly cause: unknown,
    readonly failed?: CommandEnd,
  ) {
    const why = failed
      ? `on ${failed.node}: \`${failed.command}\` ${failed.signal ? `killed by ${failed.signal} (timeout?)` : `exited with ${failed.exitCode}`}${failed.stderr.trim() ? `:\n  ${failed.stderr.trim().split('\n').slice(-5).join('\n  ')}` : ''}`
      : ((cause as Error)?.message ?? String(cause));
    super(`step ${step}: ${why}`);
  }
}

/** The worker that runs step scripts: compiled, so that the tests (which run src/) use it too. */
const STEP_WORKER = join(PROJECT_DIR, 'dist', 'steps', 'step-worker.js');

/** Runs a step's script in a worker thread of its own, its node commands relayed to the engine's
 * connections: a script that outlives its timeout is stopped (with the commands it was running),
 * and one that ends the process (process.exit) fails instead of passing for done. Any failure comes
 * back as a StepScriptError naming the step, and the node and command when a command failed. */
export async function runStepScript(
  lab: Lab,
  step: Step,
  connectionOf: ConnectionOf,
  log: (line: string) => void = () => undefined,
  opts: { signal?: AbortSignal; files?: RenderedFile[] } = {},
): Promise<void> {
  if (!step.script) return;
  // interrupted before it began: no thread is started, so none has to be stopped while it starts
  if (opts.signal?.aborted) throw new StepScriptError(step.name, new Error('interrupted'));
  // the paths of each node's rendered files (api.files): rendered here, not in the thread
  const files: Record<string, string[]> = {};
  for (const f of opts.files ?? renderLab(lab)) {
    files[f.node] ??= [];
    files[f.node].push(f.path);
  }
  let lastFailure: CommandEnd | undefined;
  const onEnd = (end: CommandEnd) => {
    if (end.exitCode !== 0) lastFailure = end;
  };
  const spawns = new Map<string, ReturnType<typeof remoteSpawn>>();
  const children = new Map<number, RemoteChild>();
  const seconds = step.timeout ?? DEFAULT_STEP_TIMEOUT_S;
  const worker = new Worker(STEP_WORKER, {
    workerData: { lab, step, files, script: pathToFileURL(resolve(lab.dir, step.script)).href },
  });
  // the thread is stopped only once its modules are loaded (it says 'ready'), or it has ended: a
  // terminate() that lands while a worker starts (bootstrap, module loading and linking) is where
  // Node's odd errors come from; a thread that never says so is stopped after a grace period
  let ready = false;
  let gone = false;
  worker.once('exit', () => {
    gone = true;
  });
  const stop = () => {
    if (gone) return;
    if (ready) return void worker.terminate();
    const grace = setTimeout(() => void worker.terminate(), STOP_GRACE_MS);
    worker.once('exit', () => clearTimeout(grace));
    worker.on('message', (m: FromWorker) => {
      if (m.type === 'ready') void worker.terminate();
    });
  };
  await new Promise<void>((done, fail) => {
    let settled = false;
    const end = (error?: Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      opts.signal?.removeEventListener('abort', onAbort);
      for (const child of children.values()) child.kill('SIGKILL');
      stop();
      if (error) fail(error);
      else done();
    };
    const failed = (message: string, failedCommand?: CommandEnd) =>
      end(new StepScriptError(step.name, new Error(message), failedCommand));
    const timer = setTimeout(
      () =>
        failed(
          `did not finish within ${seconds} s (the step's timeout:, default ${DEFAULT_STEP_TIMEOUT_S}): stopped, with the commands it was running`,
        ),
      seconds * 1000,
    );
    const onAbort = () => failed('interrupted');
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    const post = (m: ToWorker) => {
      if (!settled) worker.postMessage(m);
    };
    worker.on('message', (m: FromWorker) => {
      if (m.type === 'ready') ready = true;
      // a step that has ended (stopped, timed out) starts nothing more on the nodes
      if (settled) return;
      if (m.type === 'ready') post({ type: 'go' });
      else if (m.type === 'log') log(m.line);
      else if (m.type === 'done') end();
      else if (m.type === 'failed') failed(m.message, m.command ? lastFailure : undefined);
      else if (m.type === 'kill') children.get(m.id)?.kill(m.signal);
      else if (m.type === 'spawn') {
        let spawn = spawns.get(m.node);
        if (!spawn) {
          spawn = remoteSpawn(connectionOf(m.node), onEnd);
          spawns.set(m.node, spawn);
        }
        const child = spawn(m.line);
        children.set(m.id, child);
        child.stdout.on('data', (data: Buffer) => post({ type: 'out', id: m.id, data }));
        child.stderr.on('data', (data: Buffer) => post({ type: 'err', id: m.id, data }));
        child.on('error', (e: Error) => post({ type: 'error', id: m.id, message: e.message }));
        child.on('close', (code: number | null, signal: string | null) => {
          children.delete(m.id);
          post({ type: 'end', id: m.id, code, signal });
        });
      }
    });
    worker.on('error', (e) => end(new StepScriptError(step.name, e)));
    worker.on('exit', (code) =>
      failed(
        `its script ended the process (process.exit(${code})) before the step was done: a step ends by returning, or fails by throwing`,
      ),
    );
  });
}

/** How long an interrupted step's thread may take to finish starting before it is stopped anyway. */
const STOP_GRACE_MS = 10_000;

/** The worker's messages: its node commands, its log, and how the script ended. */
export type FromWorker =
  /** its modules are loaded: from here it may be stopped at any moment */
  | { type: 'ready' }
  | { type: 'spawn'; id: number; node: string; line: string }
  | { type: 'kill'; id: number; signal: string }
  | { type: 'log'; line: string }
  | { type: 'done' }
  /** command: the failure is a command's (a zx ProcessOutput): the engine knows which one ended last. */
  | { type: 'failed'; message: string; command: boolean };

/** The engine's messages: each command's output and end. */
export type ToWorker =
  /** run the script (the answer to ready) */
  | { type: 'go' }
  | { type: 'out'; id: number; data: Uint8Array }
  | { type: 'err'; id: number; data: Uint8Array }
  | { type: 'error'; id: number; message: string }
  | { type: 'end'; id: number; code: number | null; signal: string | null };
