// Runs a host command from an argument list (never a shell string): the one runner of src/. Lighter than
// execa (only tests use it), whose import alone costs ~100 ms: this is on the path of every up and down.
import { spawn } from 'node:child_process';

export interface CommandOutput {
  exitCode: number;
  stdout: string;
  stderr: string;
  /** The command ran out of its time and was killed. */
  timedOut: boolean;
}

export interface CommandOptions {
  input?: string;
  timeoutMs?: number;
  /** Added to this process's environment. */
  env?: Record<string, string>;
  cwd?: string;
  /** Sees the output as it comes (progress of a long command). */
  onStdout?: (chunk: string) => void;
  /** When it aborts, the command gets killSignal (default SIGTERM) and is waited for as usual. */
  signal?: AbortSignal;
  killSignal?: NodeJS.Signals;
  /** A process group of its own: a terminal's Ctrl-C reaches only us, and we pass on one signal. */
  detached?: boolean;
  /** A process group of its own (killable whole, with what it starts), its pid told once it runs. */
  group?: (pid: number) => void;
}

export function runCommand(file: string, args: string[], opts: CommandOptions = {}): Promise<CommandOutput> {
  const started = Date.now();
  const timeoutMs = opts.timeoutMs ?? 60_000;
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, {
      stdio: ['pipe', 'pipe', 'pipe'],
      // a group's time is kept below: the whole group ends with it
      timeout: opts.group ? undefined : timeoutMs,
      cwd: opts.cwd,
      env: opts.env ? { ...process.env, ...opts.env } : undefined,
      detached: opts.detached || !!opts.group,
    });
    if (opts.group && child.pid) opts.group(child.pid);
    // a group is signalled whole: what its shell started in the background holds the output pipes,
    // and the command would not end while they live
    const kill = (sig: NodeJS.Signals = opts.killSignal ?? 'SIGTERM') => {
      if (opts.group && child.pid) {
        try {
          process.kill(-child.pid, sig);
        } catch {
          // the group is gone
        }
      } else child.kill(sig);
    };
    const timer = opts.group ? setTimeout(() => kill('SIGKILL'), timeoutMs) : undefined;
    const abort = () => kill();
    if (opts.signal?.aborted) abort();
    else opts.signal?.addEventListener('abort', abort, { once: true });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
      opts.onStdout?.(String(d));
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.on('error', (e) => reject(new Error(`cannot run ${file}: ${e.message}`)));
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      opts.signal?.removeEventListener('abort', abort);
      resolve({
        exitCode: code ?? (signal ? 128 : 1),
        stdout,
        stderr,
        timedOut: signal !== null && Date.now() - started >= timeoutMs,
      });
    });
    // a command that does not read its input closes the pipe early: that is not an error
    child.stdin.on('error', () => undefined);
    child.stdin.end(opts.input ?? '');
  });
}

/** Runs it and throws, with the command and its stderr, unless it exits 0. */
export async function mustRun(
  file: string,
  args: string[],
  opts: CommandOptions = {},
): Promise<CommandOutput> {
  const r = await runCommand(file, args, opts);
  if (r.exitCode !== 0)
    throw new Error(`${file} ${args.join(' ')} exited with ${r.exitCode}: ${(r.stderr || r.stdout).trim()}`);
  return r;
}
