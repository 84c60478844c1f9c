// Judging a check's output: show and judge are separate, and a judgement says why it fails. Each kind
// of expectation has its judge in JUDGES, a table the compiler holds complete: a new kind in the schema
// does not build until it has a judge. Reading a daemon's sessions is the daemon's own (daemons/).
import { isIP } from 'node:net';
import { addressTowards, linkLocalTowards } from '../core/addressing.js';
import {
  addressesOf,
  birdName,
  type Check,
  type Lab,
  type Node,
  nodeByName,
  selectNodes,
} from '../core/lab.js';
import { compileLabRegex } from '../core/lab-regex.js';
import type { Expectation } from '../core/schema.js';
import type { Session } from '../daemons/daemon.js';
import { DAEMONS } from '../daemons/index.js';
import { canonical6, isLinkLocal } from '../net/ip.js';
import { HELD_OUTPUT_NOTE } from '../transport/channel-end.js';
import type { CommandResult } from '../transport/shell.js';
import { judgeRoutes } from './routes-judge.js';
import { judgeBfd, judgeBgpRoute, judgeOspf } from './routing-judges.js';
import { fail, pass, peersOf, type Verdict } from './verdict.js';

export { birdSessions } from '../daemons/bird.js';
export { gobgpSessions } from '../daemons/gobgp.js';

/** What a judge reads: the lab, the check, and one result (or one per repeat). */
export interface JudgeInput {
  lab: Lab;
  check: Check;
  results: CommandResult[];
}

type Kind = keyof Expectation;
type Judge<K extends Kind> = (spec: NonNullable<Expectation[K]>, input: JudgeInput) => Verdict;

/** ip route show PREFIX: the gateways of a route, one or many (`nexthop via`), IPv4 or IPv6. */
export function nextHops(output: string): string[] {
  return [...output.matchAll(/\bvia (?:inet6 )?([0-9a-fA-F]*[.:][0-9a-fA-F.:]+)/g)].map((m) => m[1]);
}

/** The address `self` reaches `peer` by (a network they share, else the peer's first). */
const towards = (self: Node | undefined, peer: Node) => addressTowards(self, peer)?.address;

/** The blocks a node announces: its Calico block once a workload has landed there, or each TF pod's /32. */
function blocksHeldBy(lab: Lab, node: string): string[] {
  return [...new Set(lab.workloads.filter((w) => w.node === node).map((w) => w.block))];
}

/** The line that says why a command failed: birdc's banner (BIRD 2.0.12 ready.) says nothing. */
function firstLine(r: CommandResult): string {
  const lines = (r.stderr.replace(HELD_OUTPUT_NOTE, '').trim() || r.stdout.trim() || 'no output')
    .split('\n')
    .filter((l) => !/^BIRD [\w.-]+ ready\.$/.test(l.trim()));
  return lines[0] ?? 'no output';
}

/** A judge of one command's output: the command must have exited 0 first. */
function onOutput<K extends Kind>(
  judge: (spec: NonNullable<Expectation[K]>, output: string, input: JudgeInput) => Verdict,
): Judge<K> {
  return (spec, input) => {
    const [r] = input.results;
    if (r.exitCode !== 0)
      return fail(`exit ${r.exitCode}${r.timedOut ? ' (timed out)' : ''}: ${firstLine(r)}`);
    return judge(spec, r.stdout, input);
  };
}

/** Every block the selected nodes hold appears on a line with its node's address (rib or kernel table). */
const judgeBlocks = onOutput<'blocks'>(({ of }, output, { lab, check }) => {
  const self = nodeByName(lab, check.node);
  const held = peersOf(lab, of, check.node).flatMap((n) =>
    blocksHeldBy(lab, n.name).map((block) => ({ node: n, block })),
  );
  if (!held.length) return fail('the selected nodes hold no blocks (no workload of the lab lands on them)');
  const lines = output.split('\n');
  const routed = ({ node, block }: { node: Node; block: string }) => {
    const via = towards(self, node);
    return lines.some((l) => l.includes(`${block} `) && via !== undefined && l.split(/\s+/).includes(via));
  };
  const bad = held.filter((h) => !routed(h));
  if (bad.length)
    return fail(
      `missing ${bad.map(({ node, block }) => `${block} via ${node.name} (${towards(self, node)})`).join(', ')}`,
    );
  return pass(`${held.length} block${held.length === 1 ? '' : 's'}, each via its node`);
});

/** Every peer of the selection has an Established session (one per family), as the daemon shows it. */
const judgeBgp = onOutput<'bgp_established'>((spec, output, { lab, check }) => {
  const self = nodeByName(lab, check.node);
  const peers = peersOf(lab, spec.peers, check.node);
  if (!peers.length) return fail(`the selection ${JSON.stringify(spec.peers)} names no node`);
  const bgp = DAEMONS[spec.daemon].bgp!;
  const sessions = bgp.parseSessions(output);
  const bad: string[] = [];
  let count = 0;
  for (const p of peers) {
    for (const key of bgp.sessionKeys(self, p)) {
      count++;
      const s: Session | undefined = sessions.get(key);
      // an address names the session (GoBGP, FRR), or a protocol named after the peer (BIRD)
      const byAddress = isIP(key) !== 0;
      const who = byAddress || key !== birdName(p.name) ? `${p.name} (${key})` : p.name;
      // BIRD names a dynamic session dyn1, dyn2: only show protocols all tells its neighbor's address
      const unseen =
        byAddress && spec.daemon === 'bird'
          ? 'no session with this neighbor address (dynamic sessions: run birdc show protocols all)'
          : byAddress
            ? 'not a neighbor'
            : spec.daemon === 'bird'
              ? 'no such protocol'
              : 'no neighbor on this interface';
      if (!s?.established) bad.push(`${who}: ${s?.state || unseen}`);
      else if (spec.received === 'blocks' && s.received !== blocksHeldBy(lab, p.name).length)
        bad.push(`${who}: received ${s.received}, holds ${blocksHeldBy(lab, p.name).length} blocks`);
    }
  }
  if (bad.length)
    return fail(
      `${spec.received ? 'not Established with its blocks' : 'not Established'}: ${bad.join(', ')}`,
    );
  // a session per family: IPv4 and IPv6 with one peer are two
  return pass(
    `${count} sessions Established${spec.received ? ', each having sent the blocks it holds' : ''}`,
  );
});

/** ip route show PREFIX: each gateway with the interface it is reached on (`via fe80::1 dev eth0`). */
export function nextHopsWithDevice(output: string): { via: string; dev?: string }[] {
  return [...output.matchAll(/\bvia (?:inet6 )?([0-9a-fA-F]*[.:][0-9a-fA-F.:]+)(?:\s+dev\s+(\S+))?/g)].map(
    (m) => ({ via: m[1], dev: m[2] }),
  );
}

/**
 * ip route show: one next hop per node of the selection. A next hop is the node's address on the shared
 * network or any of its addresses (IPv6, loopback); or, for IPv6 (FRR and BIRD over eBGP, OSPFv3), its
 * link-local address on the shared network, which netns derives from the node's place in the lab
 * (interfaceMac). A link-local hop that is no lab node's (another provider's MACs) counts for an expected
 * peer on the network of the interface it leaves by, one peer per distinct hop.
 */
const judgeNexthops = onOutput<'nexthops'>(({ via }, output, { lab, check }) => {
  const self = nodeByName(lab, check.node);
  const v6 = /^\S*:/.test(output.trim()) || /\bvia inet6 /.test(output);
  const expected = peersOf(lab, via, check.node).map((p) => ({
    node: p,
    name: p.name,
    address: (v6 ? p.interfaces.find((i) => i.address6)?.address6 : undefined) ?? towards(self, p)!,
    all: addressesOf(p),
  }));
  if (!expected.length) return fail(`the selection ${JSON.stringify(via)} names no node`);
  if (!output.trim()) return fail('no such route');
  const pairs = nextHopsWithDevice(output).map((h) =>
    isLinkLocal(h.via) ? { ...h, via: canonical6(h.via) } : h,
  );
  const hops = new Set(pairs.map((h) => h.via));
  // the link-local address each lab node has on each network this node is on
  const known = new Set(
    lab.nodes.flatMap((n) =>
      (self?.interfaces ?? []).map((i) => linkLocalTowards(lab, n, i.network)).filter((a) => a !== undefined),
    ),
  );
  const linkLocalsOf = (n: Node) =>
    (self?.interfaces ?? []).map((i) => linkLocalTowards(lab, n, i.network)).filter((a) => a !== undefined);
  const byAddress = (e: (typeof expected)[number]) =>
    hops.has(e.address) || e.all.some((a) => hops.has(a)) || linkLocalsOf(e.node).some((a) => hops.has(a));
  // link-local hops of no lab node, per interface of this node, each taken by at most one expected peer
  const unknown = new Map<string, Set<string>>();
  for (const h of pairs)
    if (h.dev && isLinkLocal(h.via) && !known.has(h.via))
      unknown.set(h.dev, (unknown.get(h.dev) ?? new Set()).add(h.via));
  const taken = new Map<string, number>();
  const byInterface = (e: (typeof expected)[number]) => {
    const shared = new Set(e.node.interfaces.map((i) => i.network));
    const dev = self?.interfaces.find(
      (i) => shared.has(i.network) && (unknown.get(i.name)?.size ?? 0) > (taken.get(i.name) ?? 0),
    )?.name;
    if (dev === undefined) return false;
    taken.set(dev, (taken.get(dev) ?? 0) + 1);
    return true;
  };
  const missing = expected.filter((e) => !byAddress(e)).filter((e) => !byInterface(e));
  if (missing.length)
    return fail(
      `${hops.size} of ${expected.length} next hops; missing ${missing.map((m) => `${m.name} (${m.address})`).join(', ')}`,
    );
  // a hop through another node of the lab is a path the check did not ask for (an ignored OSPF cost
  // makes the expensive link an equal-cost path; a stray route sends part of the traffic elsewhere)
  const wanted = new Set(expected.map((e) => e.name));
  const owner = (hop: string) =>
    lab.nodes.find(
      (n) =>
        addressesOf(n).includes(hop) ||
        (isLinkLocal(hop) &&
          (self?.interfaces ?? []).some((i) => linkLocalTowards(lab, n, i.network) === hop)),
    );
  const stray = [...hops]
    .map((h) => ({ hop: h, node: owner(h) }))
    .filter((x) => x.node && !wanted.has(x.node.name) && x.node.name !== check.node);
  if (stray.length)
    return fail(
      `${hops.size} next hops: also via ${stray.map((x) => `${x.node!.name} (${x.hop})`).join(', ')}, which the check does not expect`,
    );
  return pass(`${hops.size} next hops`);
});

/** Every answer of the runs, one a line: one command may answer many times (curl with 20 URLs). */
const answerLines = (results: CommandResult[]): string[] =>
  results.flatMap((r) =>
    r.stdout
      .split('\n')
      .map((l) => l.trim())
      .filter(Boolean),
  );

/** How many runs failed and how the first did, after a verdict's reason; nothing when none did. */
function failedRuns(results: CommandResult[]): string {
  const failed = results.filter((r) => r.exitCode !== 0);
  return failed.length ? `; ${failed.length} of ${results.length} runs failed (${firstLine(failed[0])})` : '';
}

/** Over every run (or every line of one run), at least `min` distinct answers. */
const judgeDistinct: Judge<'distinct'> = (spec, { lab, results }) => {
  // an answer is a line: one command may answer many times (curl with 20 URLs), or each repeat once.
  // A run that failed may still have answered (curl --parallel exits non-zero when one transfer of
  // many timed out): its answers count, so that the backends that did answer are not reported dead
  const lines = answerLines(results);
  const answers = new Set(lines);
  const summary = [...answers].sort().join(', ');
  if (spec.min === 'all') {
    // every node of the selection must answer: one dead backend of three is a failure, not 2 of 3
    const expected = [spec.of ?? []].flat().flatMap((s) => selectNodes(lab, s).map((n) => n.name));
    if (!expected.length) return fail(`of: ${[spec.of].flat().join(', ')} selects no node`);
    const missing = expected.filter((n) => !answers.has(n));
    if (missing.length) {
      return fail(
        `${missing.length} of ${expected.length} did not answer: ${missing.join(', ')} (answers: ${summary || 'none'})${failedRuns(results)}`,
      );
    }
    // a hundred names say nothing a count does not
    return pass(
      `all ${expected.length} answered over ${lines.length}${expected.length <= 12 ? `: ${summary}` : ''}`,
    );
  }
  const min = spec.min as number;
  if (answers.size < min) {
    return fail(
      `${answers.size} distinct answer${answers.size === 1 ? '' : 's'} (${summary || 'none'}), need ${min}${failedRuns(results)}`,
    );
  }
  return pass(
    `${answers.size} distinct answers over ${lines.length}${answers.size <= 12 ? `: ${summary}` : ''}`,
  );
};

/** Answers from exactly the expected set over a stated number of tries: spread and exclusion at once. */
const judgeAnswers: Judge<'answers'> = (spec, { results }) => {
  const failed = results.filter((r) => r.exitCode !== 0);
  const lines = answerLines(results);
  const tries = spec.tries as number;
  const counts = new Map<string, number>();
  for (const l of lines) counts.set(l, (counts.get(l) ?? 0) + 1);
  const tally =
    [...counts]
      .sort()
      .map(([a, n]) => `${a} x${n}`)
      .join(', ') || 'none';
  const stray = [...counts.keys()].filter((a) => !spec.from.includes(a));
  if (stray.length)
    return fail(
      `answers from ${stray.join(', ')} (${tally} over ${lines.length}), expected only ${spec.from.join(', ')}`,
    );
  if (lines.length !== tries) {
    const errors = failed.length ? `; ${failed.length} runs failed (${firstLine(failed[0])})` : '';
    return fail(`${lines.length} answers of ${tries} tries (${tally})${errors}`);
  }
  const missing = spec.from.filter((a) => !counts.has(a));
  if (missing.length) return fail(`no answer from ${missing.join(', ')} over ${tries} tries (${tally})`);
  return pass(`${tries} answers: ${tally}`);
};

const judgeLines = onOutput<'lines'>((spec, output) => {
  const re = compileLabRegex(spec.match);
  const n = output.split('\n').filter((l) => re.test(l)).length;
  if (spec.count !== undefined && n !== spec.count)
    return fail(`${n} lines match /${spec.match}/, expected ${spec.count}`);
  if (spec.min !== undefined && n < (spec.min as number))
    return fail(`${n} lines match /${spec.match}/, expected at least ${spec.min}`);
  return pass(`${n} lines`);
});

/** One judge per kind of expectation: leaving one out does not compile. */
export const JUDGES: { [K in Kind]-?: Judge<K> } = {
  match: onOutput((re, out) =>
    compileLabRegex(re, true).test(out) ? pass() : fail(`output does not match /${re}/`),
  ),
  contains: onOutput((text, out) =>
    out.includes(text) ? pass() : fail(`output does not contain '${text}'`),
  ),
  lines: judgeLines,
  bgp_established: judgeBgp,
  routes: onOutput((spec, out, { lab, check }) => judgeRoutes(lab, check.node, out, spec)),
  nexthops: judgeNexthops,
  blocks: judgeBlocks,
  distinct: judgeDistinct,
  answers: judgeAnswers,
  bgp_route: onOutput((spec, out, { lab, check }) => judgeBgpRoute(lab, check, out, spec)),
  ospf_full: onOutput((spec, out, { lab, check }) => judgeOspf(lab, check, out, spec)),
  bfd_up: onOutput((spec, out, { lab, check }) => judgeBfd(lab, check, out, spec)),
};

/** Judges one round of a check: `results` holds one result, or one per repeat. */
export function judge(lab: Lab, check: Check, results: CommandResult[]): Verdict {
  for (const kind of Object.keys(JUDGES) as Kind[]) {
    const spec = check.expect[kind];
    if (spec !== undefined) return (JUDGES[kind] as Judge<Kind>)(spec as never, { lab, check, results });
  }
  return fail('the check has no expectation');
}
