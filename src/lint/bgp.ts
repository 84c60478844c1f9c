// BGP: sessions configured on both sides, eBGP with filters, AS numbers that agree, ECMP wide enough.

import type { Rule } from '../contracts/lint.js';
import { dynamicRange } from '../core/addressing.js';
import type { Issue } from '../core/issue.js';
import { issue } from '../core/issue.js';
import { addressesOf, type Neighbor, type Node, nodeByName, selectNodes } from '../core/lab.js';
import { prefixCovers } from '../net/ip.js';
import { ROLES } from '../roles/index.js';

// the nodes each speaker names as neighbors: a spine of a fabric has a thousand, asked about by each
const namedPeers = new WeakMap<object, Set<string | undefined>>();

function accepts(peer: Node, from: Node): boolean {
  const b = peer.bgp!;
  let named = namedPeers.get(b);
  if (!named) {
    named = new Set(b.neighbors.map((n) => n.node));
    namedPeers.set(b, named);
  }
  if (named.has(from.name)) return true;
  const ours = addressesOf(from);
  if (b.neighbors.some((n) => ours.includes(n.address))) return true;
  const range = b.neighborRange;
  return !!range && ours.some((a) => prefixCovers(range, a));
}

export const bgpRules: Rule = (lab) => {
  const out: Issue[] = [];
  for (const node of lab.nodes) {
    const b = node.bgp;
    if (!b) continue;
    const dynamic = dynamicRange(lab, node);
    if (dynamic && !dynamic.local && b.source === 'lab')
      out.push(
        issue(
          'bgp-local-address',
          [...node.path, 'bgp', 'neighbor_range'],
          `${node.name} accepts peers from ${dynamic.range}, but has no address on a network that holds it`,
          'no peer from the range can reach it one hop away: use the prefix of a network the node is on (or a part of it)',
        ),
      );
    for (const n of b.neighbors) {
      const peer = n.node ? nodeByName(lab, n.node) : undefined;
      if (!peer) {
        out.push(
          issue(
            'bgp-peer-unknown',
            n.path,
            `${node.name} peers with ${n.address}, which is no node of this lab`,
            'the session never leaves Active: peer with an address a node holds',
          ),
        );
        continue;
      }
      if (!peer.bgp) {
        // a lab's own neighbor list is checked while resolving, a bgp: section without AS too; an
        // add-on's sessions (MetalLB's peers) towards a node with no bgp: at all, here
        if (b.source !== 'lab' && !lab.raw.nodes[peer.group ?? peer.name]?.bgp) {
          out.push(
            issue(
              'bgp-not-reciprocal',
              n.path,
              `${node.name} peers with ${peer.name}, but ${peer.name} speaks no BGP (it has no bgp: section)`,
              `the session stays in Active/Connect: give ${peer.name} a bgp: section with ${node.name} among its neighbors`,
            ),
          );
        }
        continue;
      }
      if (!accepts(peer, node)) {
        out.push(
          issue(
            'bgp-not-reciprocal',
            n.path,
            `${node.name} peers with ${peer.name}, but ${peer.name} has no neighbor (or neighbor range) for ${node.name}`,
            `the session stays in Active/Connect: add ${node.name} to ${peer.name}'s neighbors, or accept its subnet with a neighbor range`,
          ),
        );
      }
      if (n.as !== peer.bgp.as) {
        out.push(
          issue(
            'bgp-as-mismatch',
            n.path,
            `${node.name} expects AS ${n.as} from ${peer.name}, which runs AS ${peer.bgp.as}`,
            'the peer is refused with "bad peer AS" and the session flaps: make the AS numbers agree',
          ),
        );
      }
      out.push(...familyMissing(node, n, peer));
      out.push(...endsDisagree(node, n, peer));
    }
    out.push(...reflectorAsIssues(lab, node));
    // a route server passes everything to its clients: no filter needed there
    // (a session's own import/export stands in for the node's); RFC 8212 is the filtering daemons'
    // rule (BIRD, FRR): a role with no import/export (a GoBGP reflector) passes everything, and asking
    // it for filters would only be refused as field-ignored
    const unfiltered = filters(node)
      ? b.neighbors.find(
          (n) =>
            n.as !== b.as &&
            !n.rsClient &&
            ((n.import ?? b.import) === undefined || (n.export ?? b.export) === undefined),
        )
      : undefined;
    if (unfiltered) {
      const missing = (unfiltered.import ?? b.import) === undefined ? 'import' : 'export';
      out.push(
        issue(
          'ebgp-no-filter',
          b.path,
          `${node.name} has eBGP sessions but no explicit ${missing} filter${b.neighbors.some((n) => n[missing] !== undefined) ? ` (for ${unfiltered.node ?? unfiltered.address})` : ''}`,
          'BIRD 2 follows RFC 8212: the session comes up Established but carries no routes; set bgp.import and bgp.export (all, none, or prefixes)',
        ),
      );
    }
    out.push(...ecmpIssues(lab, node));
  }
  return out;
};

/** Whether one of the node's roles renders import and export filters. */
function filters(node: Node): boolean {
  return node.roles.some((r) => ROLES[r]?.honours?.includes('bgp.import'));
}

/**
 * A pure route reflector reflects between iBGP peers only: peers in another AS (a Calico cluster whose as:
 * is not the reflector's) get its routes over eBGP, next hop the reflector itself, which forwards
 * nothing. One issue per AS, at the peers' own AS setting.
 */
function reflectorAsIssues(lab: Parameters<Rule>[0], node: Node): Issue[] {
  const b = node.bgp!;
  // a router that filters (BIRD, FRR) also routes, eBGP peers included (a border that reflects);
  // a reflector alone (GoBGP) installs no route and forwards nothing
  if (!b.routeReflector || filters(node)) return [];
  const byAs = new Map<number, Node[]>();
  for (const n of b.neighbors) {
    const peer = n.node ? nodeByName(lab, n.node) : undefined;
    if (!peer?.bgp || peer.bgp.as === b.as || n.as !== peer.bgp.as) continue; // bgp-as-mismatch says the rest
    byAs.set(peer.bgp.as, [...(byAs.get(peer.bgp.as) ?? []), peer]);
  }
  return [...byAs].map(([as, peers]) => {
    const first = peers[0]!;
    const clusters = [...new Set(peers.map((p) => p.cluster).filter((c): c is string => !!c))];
    const who = clusters.length ? `cluster ${clusters.join(', ')}` : peers.map((p) => p.name).join(', ');
    const fix = clusters.length
      ? `give ${who} the reflector's AS (as: ${b.as} in ${first.bgp!.source === 'calico' ? 'its calico add-on' : 'its bgp'})`
      : `give ${peers.length === 1 ? 'it' : 'them'} AS ${b.as}`;
    const names = peers.map((p) => p.name);
    return issue(
      'reflector-as-mismatch',
      first.bgp!.path,
      `${node.name} reflects routes between iBGP peers in AS ${b.as}, but ${who} (${names.slice(0, 3).join(', ')}${names.length > 3 ? ', ...' : ''}) ${(clusters.length || peers.length) === 1 ? 'runs' : 'run'} AS ${as}`,
      `route reflection is iBGP only: over eBGP ${node.name} hands its routes on with itself as the next hop and forwards no traffic, so pods across the two ASes do not reach each other: ${fix}, or put a router between the ASes`,
    );
  });
}

/**
 * One session per family: a family one end opens and the other does not (transport: ipv6 on one side
 * only, netlab's bgp.activate) stays in Active/Connect.
 */
function familyMissing(node: Node, n: Neighbor, peer: Node): Issue[] {
  if (node.bgp?.source !== 'lab' || peer.bgp?.source !== 'lab') return [];
  const backs = peer.bgp.neighbors.filter((m) => m.node === node.name);
  if (!backs.length || backs.some((m) => m.family === n.family)) return [];
  const family = n.family === 'ipv6' ? 'IPv6' : 'IPv4';
  const theirs = [...new Set(backs.map((m) => (m.family === 'ipv6' ? 'IPv6' : 'IPv4')))].join(' and ');
  return [
    issue(
      'bgp-not-reciprocal',
      n.path,
      `${node.name} opens an ${family} session with ${peer.name}, but ${peer.name}'s sessions with ${node.name} are ${theirs} only`,
      `the ${family} session stays in Active/Connect: give both ends the same transport ({ peer: ${peer.name}, transport: ... } and { peer: ${node.name}, transport: ... })`,
    ),
  ];
}

/**
 * The two ends of one session must agree on its addresses (each connects to the address the other
 * speaks from), on its MD5 password (a password on one side only, or two different ones, and the kernel
 * drops every segment: it never leaves Active/Connect) and on BFD. Reported at the end whose node comes
 * first by name; addresses once per family, password and BFD once per session pair (a dual-stack
 * session's two families share them: one disagreement, one issue).
 */
function endsDisagree(node: Node, n: Neighbor, peer: Node): Issue[] {
  if (node.bgp?.source !== 'lab' || peer.bgp?.source !== 'lab') return [];
  const backOf = (m: Neighbor) =>
    peer.bgp!.neighbors.find((x) => x.node === node.name && x.family === m.family);
  const back = backOf(n);
  if (!back || node.path.join('.') > peer.path.join('.')) return [];
  const out: Issue[] = [];
  const crossed =
    (n.localAddress !== undefined && back.address !== n.localAddress) ||
    (back.localAddress !== undefined && n.address !== back.localAddress);
  if (crossed)
    out.push(
      issue(
        'bgp-session-mismatch',
        n.path,
        `${node.name} connects to ${peer.name} at ${n.address} from ${n.localAddress ?? 'any address'}, but ${peer.name} expects ${node.name} at ${back.address} and connects to ${back.localAddress ?? 'any address'}`,
        `the session stays in Active/Connect: give both ends the same session (interface or loopback: { peer: ${peer.name}, session: ... } and { peer: ${node.name}, session: ... })`,
      ),
    );
  // an earlier family of this pair with the same disagreement has reported it already
  const earlier = node.bgp.neighbors
    .slice(0, node.bgp.neighbors.indexOf(n))
    .filter((m) => m.node === peer.name)
    .flatMap((m) => {
      const b = backOf(m);
      return b ? [{ mine: m, theirs: b }] : [];
    });
  const password = (x: Neighbor) => x.password ?? '';
  if (
    password(n) !== password(back) &&
    !earlier.some((e) => password(e.mine) === password(n) && password(e.theirs) === password(back))
  )
    out.push(
      issue(
        'bgp-password-mismatch',
        n.path,
        `${node.name} and ${peer.name} disagree on the MD5 password of their session (${n.password === undefined ? `none on ${node.name}` : back.password === undefined ? `none on ${peer.name}` : 'two different ones'})`,
        'TCP MD5 drops every segment whose signature is not the one expected: the session never opens; give both ends the same password',
      ),
    );
  // BFD on one end only: BGP comes up without it, the end that asked for BFD waits for a BFD session
  // that never leaves Down, and a link failure is noticed only when the hold timer expires
  if (
    !!n.bfd !== !!back.bfd &&
    !earlier.some((e) => !!e.mine.bfd === !!n.bfd && !!e.theirs.bfd === !!back.bfd)
  ) {
    const [on, off] = n.bfd ? [node, peer] : [peer, node];
    out.push(
      issue(
        'bgp-bfd-mismatch',
        n.path,
        `${on.name} runs BFD on its session with ${off.name}, but ${off.name} does not (bfd: true on one end only)`,
        `the BGP session comes up with no BFD: ${on.name}'s BFD session stays Down, so a bfd_up check fails and a dead link is noticed only when the hold timer expires, not in BFD's fraction of a second; set bfd: true on both ends ({ peer: ${off.name}, bfd: true } on ${off.name}, or its bgp.bfd), or on neither`,
      ),
    );
  }
  out.push(...optionsDisagree(node, n, peer, back, earlier));
  return out;
}

/**
 * Session options both ends must agree on: two passive ends never connect; GTSM on one end only drops
 * the other's packets (TTL 1, not 255); hold times that differ work (the lower wins), but the end that
 * asked for the longer one does not get it (a warning).
 */
function optionsDisagree(
  node: Node,
  n: Neighbor,
  peer: Node,
  back: Neighbor,
  earlier: { mine: Neighbor; theirs: Neighbor }[],
): Issue[] {
  const out: Issue[] = [];
  const once = (same: (a: Neighbor, b: Neighbor) => boolean) => !earlier.some((e) => same(e.mine, e.theirs));
  if (n.passive && back.passive && once((a, b) => !!a.passive && !!b.passive))
    out.push(
      issue(
        'bgp-passive-both',
        n.path,
        `${node.name} and ${peer.name} are both passive on their session: each waits for the other to connect`,
        'the session stays in Active forever: drop passive on one end',
      ),
    );
  if (!!n.ttlSecurity !== !!back.ttlSecurity && once((a, b) => !!a.ttlSecurity !== !!b.ttlSecurity)) {
    const [on, off] = n.ttlSecurity ? [node, peer] : [peer, node];
    out.push(
      issue(
        'bgp-ttl-security-mismatch',
        n.path,
        `${on.name} runs GTSM (ttl_security) on its session with ${off.name}, which does not`,
        `${on.name} drops ${off.name}'s packets (sent with TTL 1, not 255) and the session never opens: set ttl_security on both ends, or on neither`,
      ),
    );
  }
  const hold = (x: Neighbor) => x.timers?.hold ?? 9;
  if (hold(n) !== hold(back) && once((a, b) => hold(a) !== hold(b)))
    out.push(
      issue(
        'bgp-timers-mismatch',
        n.path,
        `${node.name} asks for a hold time of ${hold(n)} s on its session with ${peer.name}, ${peer.name} for ${hold(back)} s`,
        `BGP takes the lower, ${Math.min(hold(n), hold(back))} s, on both ends: give both the same timers ({ peer: ..., timers: { hold: ... } })`,
        'warning',
      ),
    );
  return out;
}

/** The checks that pass only when the router spreads traffic over several of the announcers: a
 * nexthops check on it naming two or more, or a distinct check (anywhere) needing answers from two or
 * more of them. */
function checksNeedingSpread(lab: Parameters<Rule>[0], router: string, announcers: string[]): string[] {
  const among = (selector: string | string[] | undefined) =>
    [selector ?? []]
      .flat()
      .flatMap((sel) => selectNodes(lab, sel))
      .filter((n) => announcers.includes(n.name)).length;
  return lab.checks
    .filter((c) => {
      const { nexthops, distinct } = c.expect;
      if (nexthops && c.node === router && among(nexthops.via) >= 2) return true;
      if (!distinct?.of) return false;
      const wanted =
        distinct.min === 'all' ? among(distinct.of) : Math.min(Number(distinct.min), among(distinct.of));
      return wanted >= 2;
    })
    .map((c) => c.name);
}

function ecmpIssues(lab: Parameters<Rule>[0], node: Node): Issue[] {
  const b = node.bgp!;
  // paths to one prefix: how many neighbors export it towards us
  const counts = new Map<string, number>();
  for (const n of b.neighbors) {
    const peer = n.node ? nodeByName(lab, n.node) : undefined;
    const exported = peer?.bgp?.export;
    if (!Array.isArray(exported)) continue;
    for (const p of exported) counts.set(p, (counts.get(p) ?? 0) + 1);
  }
  const [prefix, paths] = [...counts.entries()].sort((x, y) => y[1] - x[1])[0] ?? ['', 0];
  // a reflector passes routes on and forwards nothing: ECMP is not its business
  if (paths < 2 || b.routeReflector) return [];
  if (b.import !== 'all' && !(Array.isArray(b.import) && b.import.some((i) => prefixCovers(i, prefix))))
    return [];
  if (b.ecmpLimit === undefined) {
    // a check that needs the spread fails for sure: then it is an error, not a matter of taste
    const announcers = b.neighbors
      .filter((n) => {
        const exported = n.node ? nodeByName(lab, n.node)?.bgp?.export : undefined;
        return Array.isArray(exported) && exported.includes(prefix);
      })
      .map((n) => n.node as string);
    const needs = checksNeedingSpread(lab, node.name, announcers);
    return [
      issue(
        'ecmp-off',
        b.path,
        `${node.name} learns ${prefix} from ${paths} neighbors but has no ECMP${needs.length ? `, and ${needs.length === 1 ? 'check' : 'checks'} ${needs.join(', ')} ${needs.length === 1 ? 'needs' : 'need'} the traffic spread over them` : ''}`,
        needs.length
          ? `only one next hop is installed, so one node takes all traffic and ${needs.length === 1 ? 'that check fails' : 'those checks fail'}: set bgp.ecmp: true`
          : 'only one next hop is installed, so all traffic goes to one node: set bgp.ecmp: true',
        needs.length ? 'error' : 'warning',
      ),
    ];
  }
  if (b.ecmpLimit < paths) {
    return [
      issue(
        'ecmp-limit',
        [...b.path, 'ecmp'],
        `${node.name} merges at most ${b.ecmpLimit} paths, but ${paths} neighbors announce ${prefix}`,
        `the route gets only ${b.ecmpLimit} next hops and the other nodes receive no traffic: raise the limit (or set ecmp: true)`,
      ),
    ];
  }
  return [];
}
