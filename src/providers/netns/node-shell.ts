// A shell into a netns node through its namespaces (as `docker exec` does). The engine starts the
// node's daemons with it while SSH connects in parallel: SSH's ~250 ms handshake leaves the critical path.
// Checks and every user command still go over SSH.
import { spawn } from 'node:child_process';
import type { CommandResult, NodeShell } from '../../transport/shell.js';

// what a login on the node would have, not the environment of the lab command
const NODE_ENV = {
  PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
  HOME: '/root',
  LANG: 'C.UTF-8',
};

export class NamespaceShell implements NodeShell {
  constructor(
    readonly node: string,
    private readonly holderPid: number,
  ) {}

  exec(command: string, opts: { timeoutMs?: number; input?: string } = {}): Promise<CommandResult> {
    const started = performance.now();
    const args = ['-t', String(this.holderPid), '-n', '-m', '-u', '--', '/bin/sh', '-c', command];
    const child = spawn('nsenter', args, { cwd: '/', env: NODE_ENV, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    // a command that does not read its input closes the pipe early: that is not an error
    child.stdin.on('error', () => undefined);
    child.stdin.end(opts.input ?? '');
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        timedOut = true;
        child.kill('SIGKILL');
      }, opts.timeoutMs ?? 30_000);
      const finish = (code: number | null) => {
        clearTimeout(timer);
        const durationMs = Math.round(performance.now() - started);
        resolve({
          node: this.node,
          command,
          exitCode: timedOut ? 124 : (code ?? 255),
          stdout,
          stderr,
          durationMs,
          timedOut,
        });
      };
      child.on('error', (e) => {
        stderr += e.message;
        finish(127);
      });
      // a daemon that keeps our pipes open must not hold the step: settle shortly after the shell exits
      child.on('exit', (code) => setTimeout(() => finish(code), 100).unref());
      child.on('close', (code) => finish(code));
    });
  }

  async putFile(path: string, content: string, mode = 0o644): Promise<void> {
    const r = await this.exec(
      `umask 077 && cat > '${path.replaceAll("'", "'\\''")}' && chmod ${mode.toString(8)} '${path.replaceAll("'", "'\\''")}'`,
      { input: content },
    );
    if (r.exitCode !== 0) throw new Error(`${this.node}: cannot write ${path}: ${r.stderr.trim()}`);
  }

  close(): void {}
}
