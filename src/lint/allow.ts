// lab up --allow CODE: bring a lab up despite named lint errors, to show a trap on purpose (workshops).
// Only traps can be allowed: errors that leave the lab whole enough to build (the demo then shows the
// symptom); errors that leave nothing sensible to build, or that would reach the host, never are.

import { ADDONS } from '../addons/index.js';
import type { Issue } from '../core/issue.js';
import { DefinitionError } from '../errors.js';

/** Lint codes a lab may be brought up despite: each builds, then shows its symptom (the add-ons'
 * traps come from each add-on's codes). */
export const ALLOWABLE_CODES: readonly string[] = [
  'prefix-overlap',
  'bgp-not-reciprocal',
  'bgp-as-mismatch',
  'ebgp-no-filter',
  'bgp-passive-both',
  'bgp-ttl-security-mismatch',
  'ecmp-limit',
  'ecmp-off',
  'reflector-as-mismatch',
  'cluster-id-duplicate',
  'bgp-peer-unreachable',
  'ibgp-next-hop',
  'rs-next-hop',
  'bgp-session-mismatch',
  'bgp-password-mismatch',
  'bgp-bfd-mismatch',
  'originate-unannounced',
  'policy-drops-checked-route',
  'router-id-duplicate',
  'ospf-area-mismatch',
  'kubernetes-version',
  ...ADDONS.flatMap((a) => a.codes?.traps ?? []),
];

/** Codes lint reports that can never be allowed: the lab would not build, or would touch the host. */
export const UNALLOWABLE_CODES = [
  'schema',
  'yaml-syntax',
  'param-unknown',
  'unknown-reference',
  'unknown-role',
  'prefix-invalid',
  'address-invalid',
  'address-missing',
  'address-outside-network',
  'address-reserved',
  'address-duplicate',
  'name-unsafe',
  'name-too-long',
  'name-duplicate',
  'group-empty',
  'bgp-no-as',
  'bgp-peer-unknown',
  'mgmt-overlaps-host',
  'mgmt-overlaps-lab',
  'host-resources',
  'workload-answer',
  'field-ignored',
  'var-unknown',
  'role-conflict',
  'route-duplicate',
  'bgp-local-address',
  ...ADDONS.flatMap((a) => a.codes?.errors ?? []),
];

/** Codes lint reports as warnings only: they never stop up, so there is nothing to allow. */
export const WARNING_CODES = [
  'addon-untested-kubernetes',
  'community-never-set',
  'bgp-timers-mismatch',
  ...ADDONS.flatMap((a) => a.codes?.warnings ?? []),
];

/** Parses --allow values (repeatable, comma-separated); an unknown or unallowable code is refused. */
export function parseAllow(values: string[]): string[] {
  const codes = [
    ...new Set(
      values
        .flatMap((v) => v.split(','))
        .map((c) => c.trim())
        .filter(Boolean),
    ),
  ];
  for (const code of codes) {
    if (ALLOWABLE_CODES.includes(code)) continue;
    const why = UNALLOWABLE_CODES.includes(code)
      ? `${code} cannot be allowed: the lab would not build, or would reach the host`
      : WARNING_CODES.includes(code)
        ? `${code} is a warning: it never stops up`
        : `no lint code '${code}' that --allow can let through (unknown, or one it never lets through)`;
    throw new DefinitionError(`--allow ${code}: ${why}`, {
      details: [`codes that can be allowed: ${ALLOWABLE_CODES.join(', ')}`],
    });
  }
  return codes;
}

/** The errors an --allow list lets through (they stay errors: up reports them loudly). */
export function allowedErrors(issues: Issue[], allow: string[]): Issue[] {
  return issues.filter((i) => i.severity === 'error' && allow.includes(i.code));
}
