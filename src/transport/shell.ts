// How the engine talks to a node: commands and files. SSH implements it; tests use a fake.

export interface CommandResult {
  node: string;
  command: string;
  exitCode: number;
  stdout: string;
  stderr: string;
  durationMs: number;
  timedOut: boolean;
  /** It exited, but a process it left in the background held its output: lab stopped reading then. */
  heldOpen?: boolean;
}

export interface NodeShell {
  readonly node: string;
  /** `maxOutputChars`: keep at most this much of each of stdout and stderr (the rest is read and
   * dropped, and said at the end of stderr): what a node prints cannot fill lab's memory. */
  exec(command: string, opts?: { timeoutMs?: number; maxOutputChars?: number }): Promise<CommandResult>;
  putFile(path: string, content: string, mode?: number): Promise<void>;
  close(): void;
}

/** A command failed: keeps node, command, exit code and output; the message is one line plus stderr. */
export class CommandError extends Error {
  constructor(readonly result: CommandResult) {
    const why = result.timedOut
      ? `timed out after ${result.durationMs} ms`
      : `exited with ${result.exitCode}`;
    const output = (result.stderr || result.stdout).trim().split('\n').slice(-5).join('\n  ');
    super(`${result.node}: \`${result.command}\` ${why}${output ? `:\n  ${output}` : ''}`);
  }
}

/** Runs a command and throws CommandError unless it exits 0. */
export async function run(
  shell: NodeShell,
  command: string,
  opts?: { timeoutMs?: number },
): Promise<CommandResult> {
  const r = await shell.exec(command, opts);
  if (r.exitCode !== 0) throw new CommandError(r);
  return r;
}
