// What an attendee saves on their laptop to reach their nodes through the gateway with plain OpenSSH:
// a config (one Host per node, ProxyJump through the gateway) and a known_hosts file pinning the
// gateway's and every node's host key under aliases of their own (no trust on first use).
// The attendee uses one key for both hops: their instance's key (files(dir).userKey) logs into the
// gateway as attendee-N (its public half is their authorizedKey) and into their nodes as root.
import type { SshTarget } from '../../transport/ssh.js';

export interface AttendeeSshConfig {
  /** ssh_config text: `ssh -F <this file> router`. */
  config: string;
  /** known_hosts text, saved where config's UserKnownHostsFile says. */
  knownHosts: string;
}

/** OpenSSH accepts these in a config value unquoted; anything else is refused, not quoted. */
const CONFIG_WORD = /^[A-Za-z0-9._~/@:+-]+$/;
const word = (what: string, v: string) => {
  if (!CONFIG_WORD.test(v)) throw new Error(`${what} ${JSON.stringify(v)} cannot go into an OpenSSH config`);
  return v;
};

export function attendeeSshConfig(opts: {
  user: string; // attendee-N
  gatewayHost: string; // the name or address the laptop reaches the server by
  gatewayPort: number;
  gatewayHostKey: string; // Gateway.hostKey
  targets: Pick<SshTarget, 'node' | 'hostKey'>[];
  /** Where the attendee saves their private key; default ~/.ssh/lab-<user> (a placeholder to adapt). */
  identityFile?: string;
  /** Where they save knownHosts; default ~/.ssh/lab-<user>.known_hosts. */
  knownHostsFile?: string;
}): AttendeeSshConfig {
  const user = word('user', opts.user);
  const host = word('gateway host', opts.gatewayHost);
  const identity = word('identity file', opts.identityFile ?? `~/.ssh/lab-${user}`);
  const known = word('known_hosts file', opts.knownHostsFile ?? `~/.ssh/lab-${user}.known_hosts`);
  const gateway = `${user}.gateway`;
  const keyOf = (line: string) => line.trim().split(/\s+/).slice(0, 2).join(' ');
  const common = [
    `  IdentityFile ${identity}`,
    '  IdentitiesOnly yes',
    `  UserKnownHostsFile ${known}`,
    '  GlobalKnownHostsFile /dev/null',
    '  StrictHostKeyChecking yes',
    '  ForwardAgent no',
    '  ForwardX11 no',
  ];
  const blocks = [
    [
      `# ${user}: save your key as ${identity} (chmod 600) and the known hosts as ${known}; then: ssh -F THIS_FILE NODE`,
      `Host ${gateway}`,
      `  HostName ${host}`,
      `  Port ${opts.gatewayPort}`,
      `  User ${user}`,
      `  HostKeyAlias ${gateway}`,
      ...common,
    ],
    ...opts.targets.map((t) => [
      `Host ${word('node', t.node)}`,
      // the gateway resolves the name to this attendee's node: only their node names pass
      `  HostName ${t.node}`,
      '  User root',
      `  ProxyJump ${gateway}`,
      `  HostKeyAlias ${user}.${t.node}`,
      ...common,
    ]),
  ];
  return {
    config: `${blocks.map((b) => b.join('\n')).join('\n\n')}\n`,
    knownHosts: [
      `${gateway} ${keyOf(opts.gatewayHostKey)}`,
      ...opts.targets.map((t) => `${user}.${t.node} ${keyOf(t.hostKey)}`),
    ]
      .map((l) => `${l}\n`)
      .join(''),
  };
}
