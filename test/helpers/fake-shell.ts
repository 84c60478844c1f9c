// A node shell that answers from a script: the engine's tests run without root, SSH or daemons.
import type { CommandResult, NodeShell } from '../../src/transport/shell.js';

type Answer = Partial<Pick<CommandResult, 'exitCode' | 'stdout' | 'stderr'>>;
type Responder = (command: string, call: number) => Answer;

export class FakeShell implements NodeShell {
  readonly commands: string[] = [];
  readonly files = new Map<string, string>();
  constructor(
    readonly node: string,
    private readonly respond: Responder = () => ({}),
  ) {}

  async exec(command: string): Promise<CommandResult> {
    this.commands.push(command);
    const a = this.respond(command, this.commands.filter((c) => c === command).length);
    return {
      node: this.node,
      command,
      exitCode: a.exitCode ?? 0,
      stdout: a.stdout ?? '',
      stderr: a.stderr ?? '',
      durationMs: 1,
      timedOut: false,
    };
  }

  async putFile(path: string, content: string): Promise<void> {
    this.files.set(path, content);
  }

  close(): void {}
}

/** A command on the router that exited 0 with this output: what a judge is given. */
export const routerResult = (stdout: string) => ({
  node: 'router',
  command: 'c',
  exitCode: 0,
  stdout,
  stderr: '',
  durationMs: 1,
  timedOut: false,
});
