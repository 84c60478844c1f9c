// The registry of daemons: one line each. Roles start them, preflight installs them, judges read them.
import { bird } from './bird.js';
import type { Daemon, Validator } from './daemon.js';
import { etcd } from './etcd.js';
import { frr } from './frr.js';
import { gobgp } from './gobgp.js';
import { netplan } from './netplan.js';
import { nginx } from './nginx.js';

export const DAEMONS = { bird, gobgp, frr, nginx, etcd } satisfies Record<string, Daemon>;

export type DaemonName = keyof typeof DAEMONS;

/** Tools that check a rendered file but belong to no daemon (netplan: see netplan.ts). */
const FILE_VALIDATORS = { netplan } satisfies Record<string, Validator>;

/** What a rendered file names as its check (RenderedFile.validator): a daemon, whose own validator checks
 * it, or a tool of FILE_VALIDATORS. */
export type ValidatorName = DaemonName | keyof typeof FILE_VALIDATORS;

/** The validator a rendered file names, if that daemon or tool declares one. */
export function validatorOf(name: ValidatorName): Validator | undefined {
  return name in FILE_VALIDATORS
    ? FILE_VALIDATORS[name as keyof typeof FILE_VALIDATORS]
    : DAEMONS[name as DaemonName].validator;
}

/** The daemons a check can ask about BGP sessions (bgp_established.daemon): those that say how to list
 * them (their `bgp`), in the registry's order. */
export const BGP_DAEMONS = (Object.keys(DAEMONS) as DaemonName[]).filter((name) => DAEMONS[name].bgp) as [
  DaemonName,
  ...DaemonName[],
];

export function daemonOf(name: string): Daemon | undefined {
  return (DAEMONS as Record<string, Daemon>)[name];
}
