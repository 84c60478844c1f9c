// A BGP policy as both daemons apply it: ordered rules (the first match decides), a default, and the
// attributes every accepted route gets. Every filter form of the lab file becomes one of these.
import { formatAddress, parseCidr } from '../net/ip.js';
import { type Community, community } from './communities.js';

type Family = 'ipv4' | 'ipv6';

/** A policy as the lab file writes it (bgp.import/export): the type of core/schema.ts's filter, stated
 * here so that the daemons take nothing from core (core reads them); the schema checks it is the same. */
export type Filter =
  | 'all'
  | 'none'
  | string[]
  | { prefixes?: string[]; communities?: string[] }
  | { rules: FilterRule[]; default: 'permit' | 'deny' };

/** One rule of a route-map as the lab file writes it. */
export interface FilterRule {
  action: 'permit' | 'deny';
  prefix?: string | string[];
  ge?: number;
  le?: number;
  community?: string | string[];
  as_path_contains?: number;
  as_path_origin?: number;
  set?: {
    local_pref?: number;
    med?: number;
    prepend?: number;
    communities?: string[];
    strip_communities?: string[];
  };
}

export interface AttributeSets {
  localPref?: number;
  med?: number;
  prepend?: number;
  /** Remove private AS numbers from the path (BIRD in the filter; FRR by its neighbor command). */
  removePrivateAs?: boolean;
  add: Community[];
  strip: Community[];
}

export interface PrefixMatch {
  /** Canonical address/length, as parsed. */
  prefix: string;
  length: number;
  ge?: number;
  le?: number;
}

export interface PolicyRule {
  action: 'permit' | 'deny';
  prefixes?: PrefixMatch[];
  communities?: Community[];
  asPathContains?: number;
  asPathOrigin?: number;
  set: AttributeSets;
}

export interface Policy {
  rules: PolicyRule[];
  default: 'permit' | 'deny';
  /** The session's own attributes (local_pref, med, prepend): on every route it accepts. */
  set: AttributeSets;
}

const noSets = (): AttributeSets => ({ add: [], strip: [] });

export const hasSets = (s: AttributeSets) =>
  s.localPref !== undefined ||
  s.med !== undefined ||
  s.prepend !== undefined ||
  !!s.removePrivateAs ||
  s.add.length + s.strip.length > 0;

/** The filter forms a plain channel expression renders (all, none, prefixes, prefixes and communities). */
export const isRulesFilter = (f: Filter | undefined): f is Extract<Filter, { rules: unknown }> =>
  typeof f === 'object' && !Array.isArray(f) && 'rules' in f;

function prefixMatch(text: string, ge?: number, le?: number): PrefixMatch {
  // the canonical text of a parsed prefix: nothing of the lab's string reaches a config unchecked
  const c = parseCidr(text);
  return { prefix: `${formatAddress(c.family, c.network)}/${c.length}`, length: c.length, ge, le };
}

/** The filter as rules, with the session's own attribute sets. */
export function toPolicy(filter: Filter, sessionSets: Partial<AttributeSets> = {}): Policy {
  const set = { ...noSets(), ...sessionSets };
  if (filter === 'all' || filter === 'none')
    return { rules: [], default: filter === 'all' ? 'permit' : 'deny', set };
  if (Array.isArray(filter))
    return {
      rules: [{ action: 'permit', prefixes: filter.map((p) => prefixMatch(p)), set: noSets() }],
      default: 'deny',
      set,
    };
  if (!isRulesFilter(filter))
    return {
      rules: [
        {
          action: 'permit',
          prefixes: filter.prefixes?.map((p) => prefixMatch(p)),
          communities: filter.communities?.map(community),
          set: noSets(),
        },
      ],
      default: 'deny',
      set,
    };
  return {
    rules: filter.rules.map((r) => ({
      action: r.action,
      prefixes: r.prefix === undefined ? undefined : [r.prefix].flat().map((p) => prefixMatch(p, r.ge, r.le)),
      communities: r.community === undefined ? undefined : [r.community].flat().map(community),
      asPathContains: r.as_path_contains,
      asPathOrigin: r.as_path_origin,
      set: {
        localPref: r.set?.local_pref,
        med: r.set?.med,
        prepend: r.set?.prepend,
        add: (r.set?.communities ?? []).map(community),
        strip: (r.set?.strip_communities ?? []).map(community),
      },
    })),
    default: filter.default,
    set,
  };
}

const familyOf = (p: PrefixMatch): Family => (p.prefix.includes(':') ? 'ipv6' : 'ipv4');

/** The rules that can match a route of this family: a rule naming prefixes of the other family only
 * matches none of its routes and is left out. */
export function policyForFamily(policy: Policy, family: Family): Policy {
  const rules = policy.rules.flatMap((r) => {
    if (!r.prefixes) return [r];
    const own = r.prefixes.filter((p) => familyOf(p) === family);
    return own.length ? [{ ...r, prefixes: own }] : [];
  });
  return { ...policy, rules };
}

/** The lengths a prefix match admits: exactly its own, or ge..le (each defaulting to its bound). */
export function lengthRange(p: PrefixMatch): [number, number] | undefined {
  if (p.ge === undefined && p.le === undefined) return undefined;
  const max = p.prefix.includes(':') ? 128 : 32;
  return [p.ge ?? p.length, p.le ?? max];
}

/** A permit rule's attributes: the session's, with those the rule names itself winning. */
export function mergedSets(session: AttributeSets, rule: AttributeSets): AttributeSets {
  return {
    localPref: rule.localPref ?? session.localPref,
    med: rule.med ?? session.med,
    prepend: rule.prepend ?? session.prepend,
    removePrivateAs: session.removePrivateAs,
    add: [...session.add, ...rule.add],
    strip: [...session.strip, ...rule.strip],
  };
}

/** A session's BGP timers, every one given: the lab's fast defaults (keepalive 3, hold 9, connect 1),
 * a keepalive of a third of the hold time when only the hold is given (as both daemons do). */
export function sessionTimers(t: { keepalive?: number; hold?: number; connect?: number } | undefined) {
  const hold = t?.hold ?? 9;
  const keepalive = t?.keepalive ?? (t?.hold === undefined ? 3 : Math.max(1, Math.floor(hold / 3)));
  return { keepalive: hold === 0 ? (t?.keepalive ?? 3) : keepalive, hold, connect: t?.connect ?? 1 };
}
