// A step's script run in the process's step thread (step-thread.ts, step-worker.ts), its node commands
// relayed to the engine's connections; what the script receives is step-api.ts.
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { RenderedFile } from '../contracts/role.js';
import type { Lab, Step } from '../core/lab.js';
import { renderLab } from '../render/render-lab.js';
import { DEFAULT_STEP_TIMEOUT_S } from './plan.js';
import { type CommandEnd, type Connection, type RemoteChild, remoteSpawn } from './remote-spawn.js';
import { type RunEnd, type StepRun, startRun } from './step-thread.js';

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

/** Runs a step's script in the process's step thread (step-thread.ts), its node commands relayed to
 * the engine's connections: a script that outlives its timeout is stopped (with the commands it was
 * running), and one that ends the process (process.exit) fails instead of passing for done. Any
 * failure comes back as a StepScriptError naming the step, and the node and command when a command
 * failed. */
export async function runStepScript(
  lab: Lab,
  step: Step,
  connectionOf: ConnectionOf,
  log: (line: string) => void = () => undefined,
  opts: { signal?: AbortSignal; files?: RenderedFile[] } = {},
): Promise<void> {
  if (!step.script) return;
  const script = pathToFileURL(resolve(lab.dir, step.script)).href;
  // interrupted before it began: its script is never loaded
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
  await new Promise<void>((done, fail) => {
    let settled = false;
    const end = (error?: Error, how: RunEnd = 'returned') => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      opts.signal?.removeEventListener('abort', onAbort);
      for (const child of children.values()) child.kill('SIGKILL');
      run.close(how);
      if (error) fail(error);
      else done();
    };
    const failed = (message: string, failedCommand?: CommandEnd, how: RunEnd = 'returned') =>
      end(new StepScriptError(step.name, new Error(message), failedCommand), how);
    const timer = setTimeout(
      () =>
        failed(
          `did not finish within ${seconds} s (the step's timeout:, default ${DEFAULT_STEP_TIMEOUT_S}): stopped, with the commands it was running`,
          undefined,
          'timeout',
        ),
      seconds * 1000,
    );
    const onAbort = () => failed('interrupted', undefined, 'interrupted');
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    const post: StepRun['post'] = (m) => {
      if (!settled) run.post(m);
    };
    const run = startRun(
      { lab, step, files, script },
      (m) => {
        // a step that has ended (stopped, timed out) starts nothing more on the nodes
        if (settled) return;
        if (m.type === 'log') log(m.line);
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
      },
      (message) => failed(message),
    );
  });
}
