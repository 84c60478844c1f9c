// A zx `$` bound to a node: zx's quoting, nothrow, timeouts and output objects, with every command
// carried over the node's open SSH connection (no OpenSSH process per command).
import { $, defaults, quote, type Shell } from 'zx/core';
import {
  type CommandEnd,
  type Connection,
  killRemote,
  type RemoteChild,
  remoteSpawn,
} from './remote-spawn.js';

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
  return dollarOf(conn.node, remoteSpawn(conn, onEnd));
}

/** The same $ over any spawn that returns a RemoteChild (the step worker's, relayed to the engine). */
export function dollarOf(
  node: string,
  spawn: (command: string, args?: readonly string[]) => RemoteChild,
): NodeDollar {
  routeKills();
  const bound = $({
    spawn: spawn as unknown as typeof defaults.spawn,
    spawnSync: (() => {
      throw new Error(`${node}: a command on a node cannot run synchronously: await it instead`);
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
  Object.defineProperty(bound, 'node', { value: node });
  return bound;
}
