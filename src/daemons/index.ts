// The registry of daemons: one line each. Roles start them, preflight installs them, judges read them.
import { bird } from './bird.js';
import type { Daemon } from './daemon.js';
import { etcd } from './etcd.js';
import { frr } from './frr.js';
import { gobgp } from './gobgp.js';
import { nginx } from './nginx.js';

export const DAEMONS = { bird, gobgp, frr, nginx, etcd } satisfies Record<string, Daemon>;

export type DaemonName = keyof typeof DAEMONS;

/** The daemons a check can ask about BGP sessions (bgp_established.daemon). */
export const BGP_DAEMONS = ['bird', 'gobgp', 'frr'] as const satisfies readonly DaemonName[];

export function daemonOf(name: string): Daemon | undefined {
  return (DAEMONS as Record<string, Daemon>)[name];
}
