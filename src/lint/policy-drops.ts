// A policy that drops the only route a check expects: a bgp_route check on a router whose every session
// refuses the prefix on import, or whose every originator refuses it on every export. Up would then
// fail that check for a reason lint can name. Only what the filters decide by prefix counts: a rule
// that also matches a community or an AS path may or may not match, so it proves nothing.
import type { Rule } from '../contracts/lint.js';
import { type Issue, issue, type Path } from '../core/issue.js';
import { type Check, type Lab, type Neighbor, type Node, nodeByName } from '../core/lab.js';
import type { Filter } from '../core/schema.js';
import { isRulesFilter, lengthRange, type PolicyRule, policyForFamily, toPolicy } from '../daemons/policy.js';
import { parseCidr, prefixCovers } from '../net/ip.js';

type Family = 'ipv4' | 'ipv6';

/** What a filter does with a route to `prefix`: the first rule that matches decides, else the default;
 * `maybe` when a rule that could match also asks for a community or an AS path. */
interface Decision {
  verdict: 'permit' | 'deny' | 'maybe';
  /** the rule that decided, below the filter (rules.N), when one did */
  rule?: Path;
  why: string;
}

function ruleMatches(r: PolicyRule, prefix: string): boolean {
  if (!r.prefixes) return true;
  const length = parseCidr(prefix).length;
  return r.prefixes.some((p) => {
    const range = lengthRange(p);
    if (!range) return samePrefix(p.prefix, prefix);
    return prefixCovers(p.prefix, prefix) && length >= range[0] && length <= range[1];
  });
}

/** One prefix, however written (10.1.0.0/16 and 10.1.0.0/016 are one; 10.1.0.0/16 and 10.1.0.0/24 two). */
function samePrefix(a: string, b: string): boolean {
  const [x, y] = [parseCidr(a), parseCidr(b)];
  return x.family === y.family && x.network === y.network && x.length === y.length;
}

export function decide(filter: Filter, prefix: string, family: Family): Decision {
  // a rules filter rule by rule, to name the one that decides; the other forms are one rule
  const rules = isRulesFilter(filter)
    ? filter.rules.map((r, i) => ({
        at: ['rules', i] as Path,
        rule: toPolicy({ rules: [r], default: 'deny' }),
      }))
    : [{ at: undefined, rule: toPolicy(filter) }];
  for (const { at, rule } of rules) {
    for (const r of policyForFamily(rule, family).rules) {
      if (!ruleMatches(r, prefix)) continue;
      if (r.communities || r.asPathContains !== undefined || r.asPathOrigin !== undefined)
        return { verdict: 'maybe', why: 'a rule that also matches communities or the AS path' };
      return {
        verdict: r.action,
        ...(at ? { rule: at } : {}),
        why: r.action === 'deny' ? `rule ${at?.[1]} denies it` : 'permitted',
      };
    }
  }
  const fallback = isRulesFilter(filter) ? filter.default : toPolicy(filter).default;
  const why =
    filter === 'none'
      ? 'it is none'
      : isRulesFilter(filter)
        ? `no rule matches it and the default is ${fallback}`
        : 'not in its prefix list';
  return { verdict: fallback, why };
}

const familyOf = (prefix: string): Family => (parseCidr(prefix).family === 4 ? 'ipv4' : 'ipv6');

/** A session's filter in one direction, where the lab file says it, or what the daemons do without one. */
function sessionFilter(
  node: Node,
  n: Neighbor,
  dir: 'import' | 'export',
): { filter: Filter; path: Path } | undefined {
  const own = n[dir];
  if (own !== undefined) return { filter: own, path: [...n.path, dir] };
  const bgp = node.bgp!;
  if (bgp[dir] !== undefined) return { filter: bgp[dir]!, path: [...bgp.path, dir] };
  // iBGP and route-server sessions without filters pass everything; eBGP without is ebgp-no-filter's
  return undefined;
}

/** The sessions of a node that carry a family (an unnumbered one carries both). */
const carrying = (node: Node, family: Family) =>
  (node.bgp?.neighbors ?? []).filter((n) => n.interface || (n.family ?? 'ipv4') === family);

/** Every session refuses the prefix in this direction: the first one's refusal, to point at. */
function refusedEverywhere(node: Node, prefix: string, dir: 'import' | 'export') {
  const family = familyOf(prefix);
  const sessions = carrying(node, family);
  if (!sessions.length || (dir === 'import' && node.bgp?.neighborRange)) return undefined;
  const refusals = [];
  for (const n of sessions) {
    const f = sessionFilter(node, n, dir);
    if (!f) return undefined;
    const d = decide(f.filter, prefix, family);
    if (d.verdict !== 'deny') return undefined;
    refusals.push({ n, path: [...f.path, ...(d.rule ?? [])], why: d.why });
  }
  return refusals;
}

function dropsCheckedRoute(lab: Lab): Issue[] {
  const out: Issue[] = [];
  const seen = new Set<string>();
  for (const check of lab.checks) {
    const spec = check.expect.bgp_route;
    const node = nodeByName(lab, check.node);
    if (!spec || !node?.bgp || node.bgp.source !== 'lab') continue;
    let prefix: string;
    try {
      prefix = spec.prefix;
      parseCidr(prefix);
    } catch {
      continue; // the check's own rule says so
    }
    const originators = lab.nodes.filter((o) => o.bgp?.originate?.some((x) => samePrefix(x.prefix, prefix)));
    if (!originators.length || originators.includes(node)) continue;
    const say = (where: { n: Neighbor; path: Path; why: string }[], what: string, hint: string) => {
      const key = `${check.name}|${JSON.stringify(where[0].path)}`;
      if (seen.has(key)) return;
      seen.add(key);
      out.push(issue('policy-drops-checked-route', where[0].path, what, hint));
    };
    const imports = refusedEverywhere(node, prefix, 'import');
    if (imports)
      say(
        imports,
        `${node.name}'s import drops ${prefix} on every session (${describe(imports)}), but check ${check.name} expects ${node.name} to hold it`,
        checkHint(check, `permit ${prefix} in ${node.name}'s import (before a deny that matches it)`),
      );
    const exports = originators.map((o) => ({ o, refused: refusedEverywhere(o, prefix, 'export') }));
    if (exports.every((e) => e.refused))
      for (const { o, refused } of exports)
        say(
          refused!,
          `${o.name} originates ${prefix} but its export drops it on every session (${describe(refused!)}), so check ${check.name} on ${node.name} never sees it`,
          checkHint(check, `permit ${prefix} in ${o.name}'s export`),
        );
  }
  return out;
}

const describe = (refusals: { n: Neighbor; why: string }[]) =>
  refusals.map((r) => `${r.n.node ?? r.n.address}: ${r.why}`).join('; ');

const checkHint = (check: Check, fix: string) =>
  `up fails check ${check.name} with "no route to ${check.expect.bgp_route!.prefix}": ${fix}, or drop the check if the route is meant to be filtered`;

export const policyDropRules: Rule = (lab) => dropsCheckedRoute(lab);
