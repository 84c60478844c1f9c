// Reaching the machines after `vagrant up`: `vagrant ssh-config` for address, port, user and key;
// each host key read through `vagrant ssh` (Vagrant's own channel) and pinned from then on; the
// route guard's link. When the VMs live in lab's own libvirt namespace, each is reached through a
// forwarder on the host's 127.0.0.1 (forward.ts), recorded in the journal and stopped by lab down.
import { readFileSync } from 'node:fs';
import type { JournalWriter as Journal } from '../../contracts/provider.js';
import { ExecutionError } from '../../errors.js';
import type { SshTarget } from '../../transport/ssh.js';
import { mustVagrant } from './cli.js';
import { startForwarder } from './forwarder.js';
import { verifyVmRoutes } from './management.js';
import { parseSshConfig } from './ssh-config.js';

export async function reachMachines(
  projectDir: string,
  machines: string[],
  journal?: Journal,
  /** lab's own libvirt namespace, when the VMs live there. */
  netns?: string,
): Promise<{ targets: SshTarget[]; link: string }> {
  const config = parseSshConfig(
    (await mustVagrant(projectDir, ['ssh-config'], { netns, timeoutMs: 120_000 })).stdout,
  );
  const missing = machines.filter((m) => !config.some((c) => c.node === m));
  if (missing.length) throw new ExecutionError(`vagrant ssh-config names no ${missing.join(', ')}`);
  const routed = await verifyVmRoutes(
    config.map((c) => c.host),
    netns,
  );
  const link = netns ? 'lo' : routed;
  const targets = await Promise.all(
    machines.map(async (node) => {
      const c = config.find((x) => x.node === node)!;
      const key = await mustVagrant(
        projectDir,
        ['ssh', node, '-c', 'cat /etc/ssh/ssh_host_ed25519_key.pub'],
        {
          netns,
          timeoutMs: 120_000,
        },
      );
      const hostKey = key.stdout
        .trim()
        .split('\n')
        .find((l) => l.startsWith('ssh-ed25519 '));
      if (!hostKey) throw new ExecutionError(`${node}: no ed25519 host key in the VM's /etc/ssh`);
      const via = netns
        ? { host: '127.0.0.1', port: await startForwarder(netns, c.host, c.port ?? 22, node, journal) }
        : { host: c.host, port: c.port };
      return {
        node,
        ...via,
        user: c.user,
        identityFile: c.identityFile,
        privateKey: readFileSync(c.identityFile, 'utf8'),
        hostKey,
      } satisfies SshTarget;
    }),
  );
  return { targets, link };
}
