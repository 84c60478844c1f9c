// A policy (daemons/policy.ts) as FRR configures it: prefix, community and AS-path lists, then one
// route-map whose clauses follow the rules in order. A rule matching communities of several kinds
// becomes one clause per kind (FRR ANDs the matches of one clause; the rule means any of them).
import { type Community, type CommunityKind, frrCommunityWord } from '../daemons/communities.js';
import {
  type AttributeSets,
  lengthRange,
  mergedSets,
  type Policy,
  type PrefixMatch,
} from '../daemons/policy.js';

type Family = 'ipv4' | 'ipv6';

const LIST: Record<CommunityKind, { list: string; match: string; suffix: string }> = {
  standard: { list: 'bgp community-list standard', match: 'match community', suffix: 'C' },
  large: { list: 'bgp large-community-list standard', match: 'match large-community', suffix: 'L' },
  extended: { list: 'bgp extcommunity-list standard', match: 'match extcommunity', suffix: 'E' },
};

/** FRR's ge/le: ge only above the prefix's own length (FRR wants len < ge <= le). */
function frrRange(p: PrefixMatch): string {
  const range = lengthRange(p);
  if (!range) return '';
  const max = p.prefix.includes(':') ? 128 : 32;
  const [lo, hi] = range;
  const ge = lo > p.length ? ` ge ${lo}` : '';
  const le = (lo > p.length && hi === max) || hi === p.length ? '' : ` le ${hi}`;
  return `${ge}${le}`;
}

const byKind = (cs: Community[]) =>
  (['standard', 'large', 'extended'] as CommunityKind[])
    .map((kind) => ({ kind, list: cs.filter((c) => c.kind === kind) }))
    .filter((g) => g.list.length);

/** The set lines of a clause, and the lists they name (strip: a list of what to delete). */
export function frrSets(s: AttributeSets, ownAs: number, base: string, lists: string[]): string[] {
  const out: string[] = [];
  if (s.localPref !== undefined) out.push(`set local-preference ${s.localPref}`);
  if (s.med !== undefined) out.push(`set metric ${s.med}`);
  if (s.prepend) out.push(`set as-path prepend ${Array(s.prepend).fill(ownAs).join(' ')}`);
  const add = (kind: CommunityKind) => s.add.filter((c) => c.kind === kind).map(frrCommunityWord);
  if (add('standard').length) out.push(`set community ${add('standard').join(' ')} additive`);
  if (add('large').length) out.push(`set large-community ${add('large').join(' ')} additive`);
  for (const type of ['rt', 'soo']) {
    const ext = s.add.filter((c) => c.kind === 'extended' && c.parts[0] === type);
    // FRR merges a set extcommunity into the route's own
    if (ext.length)
      out.push(`set extcommunity ${type} ${ext.map((c) => `${c.parts[1]}:${c.parts[2]}`).join(' ')}`);
  }
  for (const { kind, list } of byKind(s.strip)) {
    // FRR 8 deletes standard and large communities by list; extended ones not (lint refuses them)
    if (kind === 'extended') continue;
    const name = `${base}-S${LIST[kind].suffix}`;
    for (const [i, c] of list.entries())
      lists.push(`${LIST[kind].list} ${name} seq ${(i + 1) * 5} permit ${frrCommunityWord(c)}`);
    out.push(`set ${kind === 'standard' ? 'comm-list' : 'large-comm-list'} ${name} delete`);
  }
  return out;
}

/** The config lines of one route-map and its lists. */
export function frrPolicyLines(name: string, policy: Policy, family: Family, ownAs: number): string[] {
  const lists: string[] = [];
  const clauses: string[] = [];
  let seq = 0;
  const ip = family === 'ipv4' ? 'ip' : 'ipv6';
  policy.rules.forEach((r, i) => {
    const base = `${name}-${i + 1}`;
    const matches: string[] = [];
    if (r.prefixes) {
      for (const [j, p] of r.prefixes.entries())
        lists.push(`${ip} prefix-list ${base} seq ${(j + 1) * 5} permit ${p.prefix}${frrRange(p)}`);
      matches.push(`match ${ip} address prefix-list ${base}`);
    }
    if (r.asPathContains !== undefined) {
      lists.push(`bgp as-path access-list ${base}-A seq 5 permit _${r.asPathContains}_`);
      matches.push(`match as-path ${base}-A`);
    }
    if (r.asPathOrigin !== undefined) {
      lists.push(`bgp as-path access-list ${base}-O seq 5 permit _${r.asPathOrigin}$`);
      matches.push(`match as-path ${base}-O`);
    }
    const kinds = byKind(r.communities ?? []);
    for (const { kind, list } of kinds)
      for (const [j, c] of list.entries())
        lists.push(
          `${LIST[kind].list} ${base}-${LIST[kind].suffix} seq ${(j + 1) * 5} permit ${frrCommunityWord(c)}`,
        );
    const alternatives = kinds.length
      ? kinds.map(({ kind }) => [`${LIST[kind].match} ${base}-${LIST[kind].suffix}`])
      : [[]];
    const sets = r.action === 'permit' ? frrSets(mergedSets(policy.set, r.set), ownAs, base, lists) : [];
    for (const alt of alternatives) {
      seq += 10;
      clauses.push(
        `route-map ${name} ${r.action} ${seq}`,
        ...[...matches, ...alt, ...sets].map((l) => ` ${l}`),
      );
    }
  });
  if (policy.default === 'permit')
    clauses.push(
      `route-map ${name} permit ${seq + 10}`,
      ...frrSets(policy.set, ownAs, `${name}-D`, lists).map((l) => ` ${l}`),
    );
  // a route-map no clause of which permits denies everything; it must exist to be named
  else if (!clauses.length) clauses.push(`route-map ${name} deny 10`);
  return [...lists, ...clauses];
}
