// Running vagrant in a project folder: offline (no version check), the chosen hypervisor, and a
// folder of its own (VAGRANT_CWD), so that two instances never share machines; inside lab's own
// libvirt namespace when the instance's VMs live there (it reaches them by their NAT addresses).
import { runCommand } from '../../host/command.js';

export interface VagrantRun {
  exitCode: number;
  stdout: string;
  stderr: string;
}

export async function vagrant(
  projectDir: string,
  args: string[],
  opts: {
    hypervisor?: string;
    netns?: string;
    timeoutMs?: number;
    onLine?: (line: string) => void;
    /** Ctrl-C: vagrant gets one SIGINT (it stops what it was doing, then exits) and is waited for. */
    signal?: AbortSignal;
  } = {},
): Promise<VagrantRun> {
  try {
    const [file, argv] = opts.netns
      ? ['ip', ['netns', 'exec', opts.netns, 'vagrant', ...args]]
      : ['vagrant', args];
    const r = await runCommand(file, argv, {
      timeoutMs: opts.timeoutMs ?? 600_000,
      env: {
        VAGRANT_CWD: projectDir,
        VAGRANT_CHECKPOINT_DISABLE: '1',
        VAGRANT_NO_COLOR: '1',
        ...(opts.hypervisor ? { VAGRANT_DEFAULT_PROVIDER: opts.hypervisor } : {}),
      },
      onStdout: opts.onLine && ((d) => d.split('\n').filter(Boolean).forEach(opts.onLine!)),
      // a second SIGINT (the terminal's, then ours) makes vagrant exit at once, without its cleanup
      ...(opts.signal ? { signal: opts.signal, killSignal: 'SIGINT' as const, detached: true } : {}),
    });
    return { exitCode: r.exitCode, stdout: r.stdout, stderr: r.stderr };
  } catch (e) {
    return { exitCode: 127, stdout: '', stderr: `cannot run vagrant: ${(e as Error).message}` };
  }
}

/** Runs it and throws with the command and the end of its output unless it exits 0. */
export async function mustVagrant(
  projectDir: string,
  args: string[],
  opts: Parameters<typeof vagrant>[2] = {},
): Promise<VagrantRun> {
  const r = await vagrant(projectDir, args, opts);
  if (r.exitCode !== 0) {
    const tail = (r.stderr || r.stdout).trim().split('\n').slice(-8).join('\n  ');
    throw new Error(
      `vagrant ${args.join(' ')} exited with ${r.exitCode} (in ${projectDir})${tail ? `:\n  ${tail}` : ''}`,
    );
  }
  return r;
}
