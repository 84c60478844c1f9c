// Runs a host command from an argument list (never a shell string): the one runner of src/. Lighter than
// execa (tests use it), whose import
// alone costs ~100 ms: this is on the path of every lab up and down.
import { spawn } from 'node:child_process';

export interface CommandOutput {
  exitCode: number;
  stdout: string;
  stderr: string;
}

export interface CommandOptions {
  input?: string;
  timeoutMs?: number;
  /** Added to this process's environment. */
  env?: Record<string, string>;
  cwd?: string;
}

export function runCommand(file: string, args: string[], opts: CommandOptions = {}): Promise<CommandOutput> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, {
      stdio: ['pipe', 'pipe', 'pipe'],
      timeout: opts.timeoutMs ?? 60_000,
      cwd: opts.cwd,
      env: opts.env ? { ...process.env, ...opts.env } : undefined,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.on('error', (e) => reject(new Error(`cannot run ${file}: ${e.message}`)));
    child.on('close', (code, signal) => resolve({ exitCode: code ?? (signal ? 128 : 1), stdout, stderr }));
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
