// GoBGP: the route reflector. gobgpd stays in the foreground, so the start command detaches it.
import { type Daemon, type Session, sessionAddresses } from './daemon.js';

/** Where gobgpd's API listens on a node (gobgp, the CLI, talks to it there). */
export const GOBGP_API = '127.0.0.1:50051';

/** gobgpd's arguments wherever it runs: the emulated node's start command and a VM's systemd unit. */
export const GOBGPD_ARGS = `-f /etc/gobgp/gobgpd.toml -p --api-hosts=${GOBGP_API} --pprof-disable`;

/** gobgp neighbor: `Peer AS Up/Down State |#Received Accepted`. */
export function gobgpSessions(
  output: string,
): Map<string, { state: string; received?: number; accepted?: number }> {
  const out = new Map<string, { state: string; received?: number; accepted?: number }>();
  for (const line of output.split('\n')) {
    const m = /^\s*(\d+\.\d+\.\d+\.\d+)\s+\d+\s+(\S+)\s+(\S+)\s*\|\s*(\d+)?\s*(\d+)?/.exec(line);
    if (m)
      out.set(m[1], {
        state: m[3],
        received: m[4] ? Number(m[4]) : undefined,
        accepted: m[5] ? Number(m[5]) : undefined,
      });
  }
  return out;
}

export const gobgp: Daemon = {
  name: 'gobgp',
  package: 'gobgpd',
  commands: ['gobgpd', 'gobgp'],
  start: {
    name: 'gobgpd',
    run: `setsid -f sh -c 'echo $$ > /run/gobgpd.pid; exec gobgpd ${GOBGPD_ARGS}' < /dev/null > /var/log/gobgpd.log 2>&1`,
    pidfile: '/run/gobgpd.pid',
    program: 'gobgpd',
  },
  // gobgpd resolves an address it cannot parse in DNS: the host runs its check in an empty namespace
  validator: {
    tool: 'gobgpd -d',
    command: ({ path }) => ['gobgpd', '-d', '-p', '-f', path],
    emptyNetns: true,
  },
  bgp: {
    showSessions: 'gobgp neighbor',
    parseSessions: (output) =>
      new Map(
        [...gobgpSessions(output)].map(([peer, s]): [string, Session] => [
          peer,
          { peer, ...s, established: s.state === 'Establ' },
        ]),
      ),
    sessionKeys: sessionAddresses,
  },
  showRoute: (prefix) => `gobgp global rib ${prefix}`,
};
