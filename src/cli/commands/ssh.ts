// lab ssh LAB NODE: an interactive shell with OpenSSH; lab ssh-config LAB: a config for plain `ssh -F`.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { files, loadTargets, requireInstance } from '../../engine/state.js';
import { DefinitionError } from '../../errors.js';
import { verifyRoutedVia } from '../../transport/route-guard.js';
import { labNameOf } from '../lab-name.js';

export async function ssh(ref: string, node: string, opts: { instance: string }): Promise<void> {
  const { lab, instance } = await labNameOf(ref, opts.instance);
  const record = requireInstance(lab, instance);
  // the lab runs inside one VM (--provider vagrant-host): a terminal on the VM, then lab ssh inside it
  const inVm = record.provider === 'vagrant-host';
  const target = loadTargets(record.dir).find((t) => t.node === (inVm ? 'lab-host' : node));
  if (!target)
    throw new DefinitionError(
      `${lab} has no node ${node}; its nodes are ${loadTargets(record.dir)
        .map((t) => t.node)
        .join(', ')}`,
    );
  await verifyRoutedVia([target.host], record.link!);
  const args = inVm
    ? ['-t', 'lab-host', 'sudo', 'node', '/lab/dist/cli/main.js', 'ssh', lab, node, '-i', instance]
    : [node];
  const child = spawn('ssh', ['-F', files(record.dir).sshConfig, ...args], { stdio: 'inherit' });
  process.exitCode = await new Promise<number>((resolve) => child.on('exit', (code) => resolve(code ?? 255)));
}

export async function sshConfig(ref: string, opts: { instance: string; path?: boolean }): Promise<void> {
  const { lab, instance } = await labNameOf(ref, opts.instance);
  const file = files(requireInstance(lab, instance).dir).sshConfig;
  process.stdout.write(opts.path ? `${file}\n` : readFileSync(file, 'utf8'));
}
