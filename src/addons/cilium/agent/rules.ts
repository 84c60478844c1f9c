// Cilium's global service rules, pure: which backends a cluster's agents balance a service over, and
// what a cluster offers the others. Documented behaviour (Cilium "Load-balancing with Global Services"):
// global: "true" merges backends of every cluster holding the same service; shared: "false" keeps this
// cluster's backends out of the others' view while it still uses theirs; affinity local|remote prefers
// local|remote backends (the others only when none is left), none mixes them.

export const ANNOTATIONS = {
  global: 'service.cilium.io/global',
  shared: 'service.cilium.io/shared',
  affinity: 'service.cilium.io/affinity',
} as const;
/** The annotations Cilium accepted before 1.13, still honoured. */
export const LEGACY_ANNOTATIONS = {
  global: 'io.cilium/global-service',
  shared: 'io.cilium/shared-service',
  affinity: 'io.cilium/service-affinity',
} as const;
export const ALLOWED_VALUES: Record<keyof typeof ANNOTATIONS, string[]> = {
  global: ['true', 'false'],
  shared: ['true', 'false'],
  affinity: ['local', 'remote', 'none'],
};

export interface ServicePolicy {
  global: boolean;
  shared: boolean;
  affinity: 'local' | 'remote' | 'none';
}

/** Reads the annotations as Cilium does: values compared case-insensitively, unknown values ignored. */
export function policyOf(annotations: Record<string, string> = {}): ServicePolicy {
  const read = (k: keyof typeof ANNOTATIONS) =>
    (annotations[ANNOTATIONS[k]] ?? annotations[LEGACY_ANNOTATIONS[k]])?.toLowerCase();
  const global = read('global') === 'true';
  const affinity = read('affinity');
  return {
    global,
    // shared defaults to true for a global service
    shared: global && read('shared') !== 'false',
    affinity: affinity === 'local' || affinity === 'remote' ? affinity : 'none',
  };
}

export interface Backend {
  ip: string;
  port: number;
  cluster: string;
}

export interface Choice {
  backends: Backend[];
  /** Why these: shown by `cilium-dbg service list`. */
  why: string;
}

/** The backends this cluster balances its service over, from its own and what other clusters offer. */
export function chooseBackends(policy: ServicePolicy, local: Backend[], remote: Backend[]): Choice {
  if (!policy.global) return { backends: local, why: 'not global: local backends only' };
  if (policy.affinity === 'local')
    return local.length
      ? { backends: local, why: 'affinity local: local backends while any is left' }
      : { backends: remote, why: 'affinity local, no local backend left: remote ones' };
  if (policy.affinity === 'remote')
    return remote.length
      ? { backends: remote, why: 'affinity remote: remote backends while any is offered' }
      : { backends: local, why: 'affinity remote, no remote backend offered: local ones' };
  return { backends: [...local, ...remote], why: 'global: local and remote backends' };
}
