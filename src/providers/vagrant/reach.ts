// Reaching the machines after `vagrant up`: `vagrant ssh-config` for address, port, user and key;
// each host key read through `vagrant ssh` (Vagrant's own channel) and pinned from then on; the
// route guard's link.
import { readFileSync } from 'node:fs';
import { StepError } from '../../errors.js';
import type { SshTarget } from '../../transport/ssh.js';
import { mustVagrant } from './cli.js';
import { verifyVmRoutes } from './management.js';
import { parseSshConfig } from './ssh-config.js';

export async function reachMachines(
  projectDir: string,
  machines: string[],
): Promise<{ targets: SshTarget[]; link: string }> {
  const config = parseSshConfig(
    (await mustVagrant(projectDir, ['ssh-config'], { timeoutMs: 120_000 })).stdout,
  );
  const missing = machines.filter((m) => !config.some((c) => c.node === m));
  if (missing.length) throw new StepError(`vagrant ssh-config names no ${missing.join(', ')}`);
  const link = await verifyVmRoutes(config.map((c) => c.host));
  const targets = await Promise.all(
    machines.map(async (node) => {
      const c = config.find((x) => x.node === node)!;
      const key = await mustVagrant(
        projectDir,
        ['ssh', node, '-c', 'cat /etc/ssh/ssh_host_ed25519_key.pub'],
        {
          timeoutMs: 120_000,
        },
      );
      const hostKey = key.stdout
        .trim()
        .split('\n')
        .find((l) => l.startsWith('ssh-ed25519 '));
      if (!hostKey) throw new StepError(`${node}: no ed25519 host key in the VM's /etc/ssh`);
      return {
        node,
        host: c.host,
        port: c.port,
        user: c.user,
        identityFile: c.identityFile,
        privateKey: readFileSync(c.identityFile, 'utf8'),
        hostKey,
      } satisfies SshTarget;
    }),
  );
  return { targets, link };
}
