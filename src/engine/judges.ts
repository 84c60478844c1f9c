// Judging a check's output: show and judge are separate, and a judgement says why it fails.
import {
  addressesOf,
  birdName,
  type Check,
  type Lab,
  type Node,
  nodeByName,
  selectNodes,
} from '../model/lab.js';
import type { CommandResult } from '../transport/shell.js';
import { birdProtocols, judgeBfd, judgeBgpRoute, judgeFrrSessions, judgeOspf } from './routing-judges.js';

export type Verdict = { ok: true; detail?: string } | { ok: false; reason: string };

const pass = (detail?: string): Verdict => ({ ok: true, detail });
const fail = (reason: string): Verdict => ({ ok: false, reason });

/** The address of `peer` that `from` reaches it by: on a network they share, else its first. */
function addressTowards(from: Node | undefined, peer: Node): string | undefined {
  const shared = peer.interfaces.find((pi) => from?.interfaces.some((fi) => fi.network === pi.network));
  return (shared ?? peer.interfaces[0])?.address;
}

function peersOf(lab: Lab, selectors: string | string[], self: string): Node[] {
  return [selectors]
    .flat()
    .flatMap((s) => selectNodes(lab, s))
    .filter((n) => n.name !== self);
}

/** birdc show protocols: `Name Proto Table State Since Info`, Info holds the BGP state. */
export function birdSessions(output: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of output.split('\n')) {
    // Since is a time (02:38:51.777) or, with another timeformat, a date and a time
    const m = /^(\S+)\s+BGP\s+\S+\s+\S+\s+(?:\d{4}-\d\d-\d\d\s+)?\d[\d:.]*\s*(.*)$/.exec(line.trim());
    if (m) out.set(m[1], m[2].trim());
  }
  return out;
}

/** gobgp neighbor: `Peer AS Up/Down State |#Received Accepted`. */
export function gobgpSessions(
  output: string,
): Map<string, { state: string; received?: number; accepted?: number }> {
  const out = new Map<string, { state: string; received?: number; accepted?: number }>();
  for (const line of output.split('\n')) {
    const m = /^\s*(\d+\.\d+\.\d+\.\d+)\s+\d+\s+(\S+)\s+(\S+)\s*\|\s*(\d+)?\s*(\d+)?/.exec(line);
    if (m)
      out.set(m[1], {
        state: m[3],
        received: m[4] ? Number(m[4]) : undefined,
        accepted: m[5] ? Number(m[5]) : undefined,
      });
  }
  return out;
}

/** ip route show PREFIX: the gateways of a route, one or many (`nexthop via`), IPv4 or IPv6. */
export function nextHops(output: string): string[] {
  return [...output.matchAll(/\bvia (?:inet6 )?([0-9a-fA-F]*[.:][0-9a-fA-F.:]+)/g)].map((m) => m[1]);
}

/** The blocks a node holds: its block once a workload of the lab has landed there. */
function blocksHeldBy(lab: Lab, node: string): string[] {
  return lab.workloads.some((w) => w.node === node) ? [lab.blocks[node]] : [];
}

/** Every block the selected nodes hold appears on a line with its node's address (rib or kernel table). */
function judgeBlocks(lab: Lab, check: Check, output: string, of: string | string[]): Verdict {
  const self = nodeByName(lab, check.node);
  const held = peersOf(lab, of, check.node).flatMap((n) =>
    blocksHeldBy(lab, n.name).map((block) => ({ node: n, block })),
  );
  if (!held.length) return fail('the selected nodes hold no blocks (no workload of the lab lands on them)');
  const lines = output.split('\n');
  const routed = ({ node, block }: { node: Node; block: string }) => {
    const via = addressTowards(self, node);
    return lines.some((l) => l.includes(`${block} `) && via !== undefined && l.split(/\s+/).includes(via));
  };
  const bad = held.filter((h) => !routed(h));
  if (bad.length)
    return fail(
      `missing ${bad.map(({ node, block }) => `${block} via ${node.name} (${addressTowards(self, node)})`).join(', ')}`,
    );
  return pass(`${held.length} block${held.length === 1 ? '' : 's'}, each via its node`);
}

function judgeBgp(
  lab: Lab,
  check: Check,
  output: string,
  spec: { daemon: 'bird' | 'gobgp' | 'frr'; peers: string | string[]; received?: 'blocks' },
): Verdict {
  const self = nodeByName(lab, check.node);
  const peers = peersOf(lab, spec.peers, check.node);
  if (!peers.length) return fail(`the selection ${JSON.stringify(spec.peers)} names no node`);
  const bad: string[] = [];
  if (spec.daemon === 'frr') return judgeFrrSessions(lab, check, output, spec.peers);
  if (spec.daemon === 'bird') {
    const sessions = birdSessions(output);
    for (const p of peers) {
      for (const protocol of birdProtocols(self, p)) {
        const info = sessions.get(protocol);
        if (!info?.startsWith('Established'))
          bad.push(
            `${p.name}${protocol === birdName(p.name) ? '' : ` (${protocol})`}: ${info || 'no such protocol'}`,
          );
      }
    }
  } else {
    const sessions = gobgpSessions(output);
    for (const p of peers) {
      const address = addressTowards(self, p);
      const s = address ? sessions.get(address) : undefined;
      if (s?.state !== 'Establ') bad.push(`${p.name} (${address}): ${s?.state ?? 'not a neighbor'}`);
      else if (spec.received === 'blocks' && s.received !== blocksHeldBy(lab, p.name).length) {
        bad.push(
          `${p.name} (${address}): received ${s.received}, holds ${blocksHeldBy(lab, p.name).length} blocks`,
        );
      }
    }
  }
  if (bad.length)
    return fail(
      `${spec.received ? 'not Established with its blocks' : 'not Established'}: ${bad.join(', ')}`,
    );
  return pass(
    `${peers.length} sessions Established${spec.received ? ', each having sent the blocks it holds' : ''}`,
  );
}

function judgeNexthops(lab: Lab, check: Check, output: string, via: string): Verdict {
  const self = nodeByName(lab, check.node);
  const expected = peersOf(lab, via, check.node).map((p) => ({
    name: p.name,
    address: addressTowards(self, p)!,
    all: addressesOf(p),
  }));
  if (!expected.length) return fail(`the selection '${via}' names no node`);
  const hops = new Set(nextHops(output));
  // a next hop is the node's address on the shared network, or any of its addresses (IPv6, loopback)
  const missing = expected.filter((e) => !hops.has(e.address) && !e.all.some((a) => hops.has(a)));
  if (!output.trim()) return fail('no such route');
  if (missing.length)
    return fail(
      `${hops.size} of ${expected.length} next hops; missing ${missing.map((m) => `${m.name} (${m.address})`).join(', ')}`,
    );
  return pass(`${hops.size} next hops`);
}

/** Judges one round of a check: `results` holds one result, or one per repeat. */
export function judge(lab: Lab, check: Check, results: CommandResult[]): Verdict {
  const failed = results.filter((r) => r.exitCode !== 0);
  const e = check.expect;
  if (e.distinct) {
    // an answer is a line: one command may answer many times (curl with 20 URLs), or each repeat once
    const lines = results
      .filter((r) => r.exitCode === 0)
      .flatMap((r) =>
        r.stdout
          .split('\n')
          .map((l) => l.trim())
          .filter(Boolean),
      );
    const answers = new Set(lines);
    const min = e.distinct.min as number;
    const summary = [...answers].sort().join(', ');
    if (answers.size < min) {
      const errors = failed.length
        ? `; ${failed.length} of ${results.length} runs failed (${firstLine(failed[0])})`
        : '';
      return fail(
        `${answers.size} distinct answer${answers.size === 1 ? '' : 's'} (${summary || 'none'}), need ${min}${errors}`,
      );
    }
    return pass(`${answers.size} distinct answers over ${lines.length}: ${summary}`);
  }
  const [r] = results;
  if (r.exitCode !== 0) return fail(`exit ${r.exitCode}${r.timedOut ? ' (timed out)' : ''}: ${firstLine(r)}`);
  const out = r.stdout;
  if (e.bgp_established) return judgeBgp(lab, check, out, e.bgp_established);
  if (e.bgp_route) return judgeBgpRoute(lab, check, out, e.bgp_route);
  if (e.ospf_full) return judgeOspf(lab, check, out, e.ospf_full);
  if (e.bfd_up) return judgeBfd(lab, check, out, e.bfd_up);
  if (e.nexthops) return judgeNexthops(lab, check, out, e.nexthops.via);
  if (e.blocks) return judgeBlocks(lab, check, out, e.blocks.of);
  if (e.match !== undefined)
    return new RegExp(e.match, 'm').test(out) ? pass() : fail(`output does not match /${e.match}/`);
  if (e.contains !== undefined)
    return out.includes(e.contains) ? pass() : fail(`output does not contain '${e.contains}'`);
  if (e.lines) {
    const re = new RegExp(e.lines.match);
    const n = out.split('\n').filter((l) => re.test(l)).length;
    if (e.lines.count !== undefined && n !== e.lines.count)
      return fail(`${n} lines match /${e.lines.match}/, expected ${e.lines.count}`);
    if (e.lines.min !== undefined && n < (e.lines.min as number))
      return fail(`${n} lines match /${e.lines.match}/, expected at least ${e.lines.min}`);
    return pass(`${n} lines`);
  }
  return fail('the check has no expectation');
}

function firstLine(r: CommandResult): string {
  return (r.stderr.trim() || r.stdout.trim() || 'no output').split('\n')[0];
}
