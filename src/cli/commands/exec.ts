// lab exec LAB NODE -- CMD: one command over the node's SSH connection; its output and exit code pass through.
import { openShells } from '../../engine/session.js';
import { requireInstance } from '../../engine/state.js';
import { labNameOf } from '../lab-name.js';

export async function exec(
  ref: string,
  node: string,
  command: string[],
  opts: { instance: string },
): Promise<void> {
  const { lab, instance } = await labNameOf(ref, opts.instance);
  const record = requireInstance(lab, instance);
  if (record.provider === 'vagrant-host') {
    // the lab runs inside the VM: the same command there
    const { forwardToHost } = await import('../vagrant-host.js');
    process.exitCode = await forwardToHost(record, ['exec', lab, node, '-i', instance, '--', ...command]);
    return;
  }
  const shells = await openShells(record, [node]);
  const shell = shells.get(node)!;
  try {
    // arguments after -- are one command line for the node's shell, as with ssh
    const r = await shell.exec(command.join(' '), { timeoutMs: 600_000 });
    process.stdout.write(r.stdout);
    process.stderr.write(r.stderr);
    process.exitCode = r.exitCode;
  } finally {
    shell.close();
  }
}
