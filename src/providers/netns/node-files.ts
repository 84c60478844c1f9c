// What a node's own /etc holds on top of the host's: its name, hosts, sshd with its own host key,
// and the rendered files of its roles. Written to the overlay's upper layer before the node boots.
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Lab, Node } from '../../model/lab.js';
import { renderTemplate } from '../../render/env.js';
import type { RenderedFile } from '../../roles/role.js';

export interface NodeDirs {
  /** Upper layer of the node's /etc overlay. */
  etc: string;
  work: string;
  /** Bound onto the node's /var/log. */
  log: string;
}

export function nodeDirs(instanceDir: string, node: string): NodeDirs {
  const base = join(instanceDir, 'nodes', node);
  return { etc: join(base, 'etc'), work: join(base, '.overlay-work'), log: join(base, 'log') };
}

function hostsFile(lab: Lab, node: Node): string {
  const lines = ['127.0.0.1 localhost', `127.0.1.1 ${node.name}`];
  for (const n of lab.nodes) if (n.interfaces[0]) lines.push(`${n.interfaces[0].address} ${n.name}`);
  return `${lines.join('\n')}\n`;
}

export function writeNodeFiles(opts: {
  lab: Lab;
  node: Node;
  dirs: NodeDirs;
  managementAddress: string;
  hostKey: { privateKey: string; publicKey: string };
  authorizedKey: string;
  files: RenderedFile[];
}): void {
  const { lab, node, dirs } = opts;
  for (const d of [dirs.etc, dirs.work, dirs.log]) mkdirSync(d, { recursive: true });
  const put = (path: string, content: string, mode = 0o644) => {
    if (!path.startsWith('/etc/'))
      throw new Error(`${node.name}: ${path}: the netns provider places files under /etc only`);
    const target = join(dirs.etc, path.slice('/etc/'.length));
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, content, { mode });
    chmodSync(target, mode);
  };
  put('/etc/hostname', `${node.name}\n`);
  put('/etc/hosts', hostsFile(lab, node));
  put(
    '/etc/ssh/sshd_config',
    renderTemplate('sshd/sshd_config.njk', { node: node.name, address: opts.managementAddress }),
  );
  put('/etc/ssh/ssh_host_ed25519_key', opts.hostKey.privateKey, 0o600);
  put('/etc/ssh/ssh_host_ed25519_key.pub', `${opts.hostKey.publicKey}\n`);
  put('/etc/ssh/lab_authorized_keys', `${opts.authorizedKey}\n`, 0o600);
  for (const f of opts.files) put(f.path, f.content, f.mode ?? 0o644);
}
