// Running vagrant in a project folder: offline (no version check), the chosen hypervisor, and a
// folder of its own (VAGRANT_CWD), so that two instances never share machines.
import { execa } from 'execa';

export interface VagrantRun {
  exitCode: number;
  stdout: string;
  stderr: string;
}

export async function vagrant(
  projectDir: string,
  args: string[],
  opts: { hypervisor?: string; timeoutMs?: number; onLine?: (line: string) => void } = {},
): Promise<VagrantRun> {
  const child = execa('vagrant', args, {
    reject: false,
    stdin: 'ignore',
    timeout: opts.timeoutMs ?? 600_000,
    env: {
      VAGRANT_CWD: projectDir,
      VAGRANT_CHECKPOINT_DISABLE: '1',
      VAGRANT_NO_COLOR: '1',
      ...(opts.hypervisor ? { VAGRANT_DEFAULT_PROVIDER: opts.hypervisor } : {}),
    },
  });
  if (opts.onLine)
    child.stdout?.on('data', (d: Buffer) => d.toString().split('\n').filter(Boolean).forEach(opts.onLine!));
  const r = await child;
  if (r.failed && r.exitCode === undefined)
    return { exitCode: 127, stdout: '', stderr: `cannot run vagrant: ${r.shortMessage ?? r.message}` };
  return { exitCode: r.exitCode ?? 1, stdout: String(r.stdout ?? ''), stderr: String(r.stderr ?? '') };
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
