// Preflight: everything the netns provider needs, checked at once, each with the command that installs it.
import { accessSync, constants, existsSync, readFileSync } from 'node:fs';
import { PreflightError } from '../../errors.js';
import type { Lab } from '../../model/lab.js';

interface Need {
  what: string;
  ok: () => boolean;
  fix: string;
  /** Debian package, gathered into one apt-get line */
  pkg?: string;
}

const PATHS = ['/usr/sbin', '/usr/bin', '/sbin', '/bin', '/usr/lib/frr'];
const hasCommand = (cmd: string) =>
  PATHS.some((d) => {
    try {
      accessSync(`${d}/${cmd}`, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
const command = (cmd: string, pkg: string): Need => ({
  what: `the command ${cmd}`,
  ok: () => hasCommand(cmd),
  fix: `apt-get install -y ${pkg}`,
  pkg,
});

/** Tools checks commonly run, and the Debian package that provides each. */
const CHECK_TOOLS: Record<string, string> = {
  ping: 'iputils-ping',
  curl: 'curl',
  birdc: 'bird2',
  vtysh: 'frr',
  gobgp: 'gobgpd',
  ip: 'iproute2',
  ss: 'iproute2',
  nc: 'netcat-openbsd',
  dig: 'bind9-dnsutils',
  traceroute: 'traceroute',
  wget: 'wget',
};

/** The program a check's command starts with (after `ip netns exec NS`, env assignments, sudo). */
export function checkTool(run: string): string | undefined {
  const words = run.trim().split(/\s+/);
  while (words.length && (/^[A-Za-z_]+=/.test(words[0]) || words[0] === 'sudo')) words.shift();
  if (words[0] === 'ip' && words[1] === 'netns' && words[2] === 'exec') words.splice(0, 4);
  return words[0]?.split('/').pop();
}

export function needsOf(lab: Lab): Need[] {
  const roles = new Set(lab.nodes.flatMap((n) => n.roles));
  // metallb-speaker nodes run BIRD unless vars.speaker says frr
  const speakers = new Set(
    lab.nodes
      .filter((n) => n.roles.includes('metallb-speaker'))
      .map((n) => (n.vars.speaker === 'frr' ? 'frr' : 'bird')),
  );
  const needs: Need[] = [
    {
      what: 'root (namespaces, links and mounts need it)',
      ok: () => process.getuid?.() === 0,
      fix: 'run as root, e.g. sudo npx lab up ...',
    },
    command('ip', 'iproute2'),
    command('nsenter', 'util-linux'),
    command('unshare', 'util-linux'),
    command('sshd', 'openssh-server'),
    command('ssh', 'openssh-client'),
    command('curl', 'curl'),
    {
      what: 'the overlay filesystem (each node layers its own /etc)',
      ok: () => readFileSync('/proc/filesystems', 'utf8').includes('overlay'),
      fix: 'modprobe overlay',
    },
    {
      what: 'multipath routing with L4 hashing',
      ok: () => existsSync('/proc/sys/net/ipv4/fib_multipath_hash_policy'),
      fix: 'a kernel with CONFIG_IP_ROUTE_MULTIPATH',
    },
  ];
  const birdSpeakers = roles.has('metallb-speaker') && speakers.has('bird');
  if (roles.has('bird-router') || roles.has('calico-node') || birdSpeakers) {
    needs.push(command('bird', 'bird2'), command('birdc', 'bird2'));
  }
  if (speakers.has('frr')) needs.push(command('bgpd', 'frr'), command('vtysh', 'frr'));
  if (roles.has('frr-router'))
    needs.push(
      command('zebra', 'frr'),
      command('bgpd', 'frr'),
      command('ospfd', 'frr'),
      command('bfdd', 'frr'),
      command('vtysh', 'frr'),
    );
  // the tools the checks run on the nodes are the host's: each must be there
  for (const tool of new Set(lab.checks.map((c) => checkTool(c.run)))) {
    const pkg = tool && CHECK_TOOLS[tool];
    if (pkg && !needs.some((n) => n.what === `the command ${tool}`)) needs.push(command(tool, pkg));
  }
  if (roles.has('http-backend')) needs.push(command('nginx', 'nginx-light'));
  if (roles.has('gobgp-route-reflector')) needs.push(command('gobgpd', 'gobgpd'), command('gobgp', 'gobgpd'));
  return needs;
}

/** Throws one PreflightError listing everything missing, with one install line. */
export function verifyHost(lab: Lab): void {
  const missing = needsOf(lab).filter((n) => !n.ok());
  if (!missing.length) return;
  const pkgs = [...new Set(missing.flatMap((m) => (m.pkg ? [m.pkg] : [])))];
  throw new PreflightError(
    `this host cannot run ${lab.name} yet: ${missing.length} thing${missing.length === 1 ? '' : 's'} missing`,
    {
      details: [
        ...missing.map((m) => `  - ${m.what}: ${m.fix}`),
        ...(pkgs.length ? [`install them all: apt-get update && apt-get install -y ${pkgs.join(' ')}`] : []),
      ],
    },
  );
}
