// lab ssh LAB NODE: an interactive shell with OpenSSH; lab ssh-config LAB: a config for plain `ssh -F`.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { noSuchNodeMessage } from '../../engine/node-names.js';
import { files, loadTargets, requireInstance } from '../../engine/state.js';
import { DefinitionError } from '../../errors.js';
import { providerOf } from '../../providers/index.js';
import { verifyRoutedVia } from '../../transport/route-guard.js';
import { labNameOf } from '../lab-name.js';

export async function ssh(ref: string, node: string, opts: { instance: string }): Promise<void> {
  const { lab, instance } = await labNameOf(ref, opts.instance);
  const record = requireInstance(lab, instance);
  // the lab runs inside one machine (--provider vagrant-host's VM): a terminal on it, then lab ssh inside it
  const { carrier } = await providerOf(record.provider);
  const target = loadTargets(record.dir).find((t) => t.node === (carrier ? carrier.machine : node));
  if (!target)
    throw new DefinitionError(
      noSuchNodeMessage(
        lab,
        record.dir,
        [node],
        loadTargets(record.dir).map((t) => t.node),
      ),
    );
  await verifyRoutedVia([target.host], record.link!);
  const args = carrier
    ? ['-t', carrier.machine, 'sudo', ...carrier.labCommand, 'ssh', lab, node, '-i', instance]
    : [node];
  const child = spawn('ssh', ['-F', files(record.dir).sshConfig, ...args], { stdio: 'inherit' });
  process.exitCode = await new Promise<number>((resolve) => child.on('exit', (code) => resolve(code ?? 255)));
}

export async function sshConfig(ref: string, opts: { instance: string; path?: boolean }): Promise<void> {
  const { lab, instance } = await labNameOf(ref, opts.instance);
  const file = files(requireInstance(lab, instance).dir).sshConfig;
  process.stdout.write(opts.path ? `${file}\n` : readFileSync(file, 'utf8'));
}
