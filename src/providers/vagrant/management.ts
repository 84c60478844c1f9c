// The VMs' management network: Vagrant's own (libvirt: a NAT network we name and number; VirtualBox:
// NAT with a forwarded SSH port on 127.0.0.1). Its prefix collides with no host route, running lab or
// lab network; and no connection leaves for a VM except through a directly connected, non-default link.

import { PreflightError } from '../../errors.js';
import { mustRun } from '../../host/command.js';
import { freeSubnet } from '../../net/free-subnet.js';
import { formatPrefix, parsePrefix } from '../../net/ipv4.js';

/** 192.168.200.0/21: outside libvirt's (122) and vagrant-libvirt's (121) defaults. */
const POOL = parsePrefix('192.168.200.0/21');
const LENGTH = 24;

export function allocateVagrantPrefix(seed: string, taken: string[]): string {
  const free = freeSubnet(POOL, LENGTH, seed, taken);
  if (free) return free;
  throw new PreflightError(
    `no free management prefix in ${formatPrefix(POOL)}: every /24 collides with a host route, a running lab or the lab's own networks`,
    { details: ['Run lab gc, remove a lab, or set management.prefix in the lab file.'] },
  );
}

interface RouteGet {
  dst: string;
  dev: string;
  gateway?: string;
}

/**
 * The link every VM address is reached through, refusing any that would leave through a gateway
 * or the host's default route: a VM is on a host-only or NAT network the hypervisor created
 * (libvirt's bridge), or behind a port forwarded on loopback (VirtualBox).
 */
export async function verifyVmRoutes(addresses: string[], netns?: string): Promise<string> {
  const { stdout } = await mustRun('ip', [...(netns ? ['-n', netns] : []), '-j', '-batch', '-'], {
    input: [...addresses.map((a) => `route get ${a}`), 'route show default'].join('\n'),
  });
  const lines = stdout.split('\n').filter((l) => l.trim());
  const routes = lines.slice(0, addresses.length).map((l) => (JSON.parse(l) as RouteGet[])[0]);
  const defaults = lines
    .slice(addresses.length)
    .flatMap((l) => JSON.parse(l) as { dev?: string }[])
    .map((r) => r.dev);
  const wrong = addresses.filter((_, i) => {
    const r = routes[i];
    return !r || r.gateway || (defaults.includes(r.dev) && r.dev !== 'lo');
  });
  const links = new Set(routes.map((r) => r?.dev));
  if (wrong.length || links.size > 1) {
    const i = addresses.indexOf(wrong[0] ?? addresses[0]);
    throw new PreflightError(
      wrong.length
        ? `refusing to connect: ${wrong.join(', ')} would leave through ${routes[i]?.gateway ? `gateway ${routes[i]?.gateway} on ` : ''}${routes[i]?.dev ?? 'nowhere'}, not a VM network of this host`
        : `refusing to connect: the VMs are reached through several links (${[...links].join(', ')})`,
      {
        details: [
          'vagrant ssh-config gave addresses outside the management network: run vagrant status in the project folder.',
        ],
      },
    );
  }
  return [...links][0] ?? 'lo';
}
