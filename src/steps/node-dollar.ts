// A zx `$` bound to a node: zx's quoting, nothrow, timeouts and output objects, with every command
// carried over the node's open SSH connection (no OpenSSH process per command).
import { $, defaults, quote, type Shell } from 'zx';
import { type CommandEnd, type Connection, killRemote, remoteSpawn } from './remote-spawn.js';

/** zx kills by pid through `$.kill`; ours are fake pids of remote commands, the rest go to zx's own. */
let installed = false;
function routeKills(): void {
  if (installed) return;
  installed = true;
  const own = defaults.kill;
  defaults.kill = (async (pid: number | string, signal?: NodeJS.Signals) => {
    if (!killRemote(pid, signal)) await own(pid as number, signal);
  }) as typeof defaults.kill;
}

export type NodeDollar = Shell & { node: string };

/**
 * `$` for one node. Commands run under the node's login shell (bash) after `set -euo pipefail`,
 * quiet by default (the step's log shows them). `$r.sync` is refused: a remote command has no sync form.
 */
export function nodeDollar(conn: Connection, onEnd?: (end: CommandEnd) => void): NodeDollar {
  routeKills();
  const spawn = remoteSpawn(conn, onEnd);
  const bound = $({
    spawn: spawn as unknown as typeof defaults.spawn,
    spawnSync: (() => {
      throw new Error(`${conn.node}: a command on a node cannot run synchronously: await it instead`);
    }) as unknown as typeof defaults.spawnSync,
    kill: (async (pid: number | string, signal?: NodeJS.Signals) => {
      killRemote(pid, signal);
    }) as typeof defaults.kill,
    shell: 'bash',
    prefix: 'set -euo pipefail; ',
    postfix: '',
    quote,
    quiet: true,
    verbose: false,
    preferLocal: false,
    env: {},
  }) as NodeDollar;
  Object.defineProperty(bound, 'node', { value: conn.node });
  return bound;
}
