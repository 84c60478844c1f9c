// Starts forward.js detached (it outlives lab up: lab exec, check and ssh use it), journaled before it
// serves so that lab down and lab gc stop it by PID.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import type { JournalWriter as Journal } from '../../contracts/provider.js';
import { ExecutionError } from '../../errors.js';
import { startTimeOf } from '../../host/processes.js';
import { PROJECT_DIR } from '../../paths.js';

const SCRIPT = join(PROJECT_DIR, 'dist', 'providers', 'vagrant', 'forward.js');

export async function startForwarder(
  netns: string,
  host: string,
  port: number,
  node: string,
  journal?: Journal,
): Promise<number> {
  const child = spawn(process.execPath, [SCRIPT, netns, host, String(port)], {
    detached: true,
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  const pid = child.pid;
  if (!pid) throw new ExecutionError(`${node}: cannot start the SSH forwarder`);
  journal?.record({
    kind: 'process',
    id: `forward:${node}`,
    name: 'ssh-forward',
    pid,
    starttime: startTimeOf(pid),
  });
  const local = await new Promise<number>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
      if (out.includes('\n')) resolve(Number(out.trim()));
    });
    child.on('exit', (code) => reject(new ExecutionError(`${node}: the SSH forwarder exited (${code})`)));
  });
  child.stdout.destroy();
  child.removeAllListeners('exit');
  child.unref();
  return local;
}
