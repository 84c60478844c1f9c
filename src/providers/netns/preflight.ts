// Preflight: everything the netns provider needs, checked at once, each with the command that installs it.
import { existsSync, readFileSync } from 'node:fs';
import type { Tool } from '../../contracts/role.js';
import type { Lab } from '../../core/lab.js';
import { DAEMONS } from '../../daemons/index.js';
import { PreflightError } from '../../errors.js';
import { roleOf } from '../../roles/index.js';
import { seccompLoadable } from './seccomp.js';

interface Need {
  what: string;
  ok: () => boolean;
  fix: string;
  /** Debian package, gathered into one apt-get line */
  pkg?: string;
}

import { hasCommand } from '../../host/has-command.js';

const command = (cmd: string, pkg: string): Need => ({
  what: `the command ${cmd}`,
  ok: () => hasCommand(cmd),
  fix: `apt-get install -y ${pkg}`,
  pkg,
});

/** Tools checks commonly run, and the Debian package that provides each (the daemons' own CLIs too). */
const CHECK_TOOLS: Record<string, string> = {
  ping: 'iputils-ping',
  curl: 'curl',
  ip: 'iproute2',
  ss: 'iproute2',
  nc: 'netcat-openbsd',
  dig: 'bind9-dnsutils',
  traceroute: 'traceroute',
  wget: 'wget',
  ...Object.fromEntries(Object.values(DAEMONS).flatMap((d) => d.commands.map((c) => [c, d.package]))),
};

/** The program a check's command starts with (after `ip netns exec NS`, env assignments, sudo). */
export function checkTool(run: string): string | undefined {
  const words = run.trim().split(/\s+/);
  while (words.length && (/^[A-Za-z_]+=/.test(words[0]) || words[0] === 'sudo')) words.shift();
  if (words[0] === 'ip' && words[1] === 'netns' && words[2] === 'exec') words.splice(0, 4);
  return words[0]?.split('/').pop();
}

/** The daemons and tools the lab's nodes and checks need: each role's needs, each check's program. */
export function toolsOf(lab: Lab): Tool[] {
  const tools = new Map<string, Tool>();
  for (const node of lab.nodes) {
    for (const role of node.roles) {
      const needs = roleOf(role)?.needs?.(lab, node) ?? {};
      for (const d of needs.daemons ?? [])
        for (const command of DAEMONS[d].commands)
          tools.set(command, { command, package: DAEMONS[d].package });
      for (const t of needs.tools ?? []) tools.set(t.command, t);
    }
  }
  // the tools the checks run on the nodes are the host's: each must be there
  for (const check of lab.checks) {
    const command = checkTool(check.run);
    const pkg = command && CHECK_TOOLS[command];
    if (pkg && !tools.has(command)) tools.set(command, { command, package: pkg });
  }
  return [...tools.values()];
}

export function needsOf(lab: Lab): Need[] {
  const needs: Need[] = [
    {
      what: 'root (namespaces, links and mounts need it)',
      ok: () => process.getuid?.() === 0,
      fix: 'run as root, e.g. sudo npx lab up ...',
    },
    command('ip', 'iproute2'),
    command('nsenter', 'util-linux'),
    command('unshare', 'util-linux'),
    command('setpriv', 'util-linux'),
    command('nft', 'nftables'),
    {
      what: "libseccomp's Python module (every node runs under a seccomp filter: docs/sandbox.md)",
      ok: seccompLoadable,
      fix: 'apt-get install -y python3-seccomp',
      pkg: 'python3-seccomp',
    },
    {
      what: 'user namespaces (each node has its own: docs/sandbox.md)',
      ok: () => {
        try {
          return Number(readFileSync('/proc/sys/user/max_user_namespaces', 'utf8')) > 0;
        } catch {
          return false;
        }
      },
      fix: 'sysctl -w user.max_user_namespaces=15000 (and a kernel with CONFIG_USER_NS)',
    },
    command('sshd', 'openssh-server'),
    command('ssh', 'openssh-client'),
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
  // a program the provider itself needs (ip) is named once, however many checks run it too
  const own = new Set(needs.map((n) => n.what));
  return [
    ...needs,
    ...toolsOf(lab)
      .map((t) => command(t.command, t.package))
      .filter((n) => !own.has(n.what)),
  ];
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
