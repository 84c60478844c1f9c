// lab exec LAB NODE -- CMD: one command over the node's SSH connection; its output and exit code pass through.
import { healthOf } from '../../engine/health.js';
import { openShells } from '../../engine/shells.js';
import { requireInstance } from '../../engine/state.js';
import { CheckError } from '../../errors.js';
import { providerOf } from '../../providers/index.js';
import { labNameOf } from '../lab-name.js';

export async function exec(
  ref: string,
  node: string,
  command: string[],
  opts: { instance: string },
): Promise<void> {
  const { lab, instance } = await labNameOf(ref, opts.instance);
  const record = requireInstance(lab, instance);
  const { carrier } = await providerOf(record.provider);
  if (carrier) {
    // the lab runs inside one machine: the same command there
    const { forwardToCarrier } = await import('../../engine/carried-up.js');
    process.exitCode = await forwardToCarrier(carrier, record, [
      'exec',
      lab,
      node,
      '-i',
      instance,
      '--',
      ...command,
    ]);
    return;
  }
  const shells = await openShells(record, [node]);
  const shell = shells.get(node)!;
  try {
    try {
      await shell.connect();
    } catch (e) {
      // the node does not answer (its sshd dead or stopped, its machine gone): a broken lab, said with
      // what the host knows of that node, not a crash
      const { problems } = await healthOf(record, [node]);
      throw new CheckError(`${node} of ${lab} (instance ${instance}) does not answer over SSH`, {
        code: 'unreachable',
        details: [
          ...problems.filter((p) => p.node === node).map((p) => `  health on ${p.node}: ${p.problem}`),
          `  ${(e as Error).message}`,
        ],
      });
    }
    // arguments after -- are one command line for the node's shell, as with ssh
    const r = await shell.exec(command.join(' '), { timeoutMs: 600_000 });
    process.stdout.write(r.stdout);
    process.stderr.write(r.stderr);
    process.exitCode = r.exitCode;
  } finally {
    shell.close();
  }
}
