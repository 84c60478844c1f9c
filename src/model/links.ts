// The lab's links: point-to-point /31s (RFC 3021) between two nodes or groups, taken from a pool in
// order. Each link is a network of its own with its two nodes, so that everything reading shared
// networks (sessions, next hops, OSPF's point-to-point) sees the pair; netns wires it node to node.

import type { PushIssue } from '../core/issue.js';
import type { Lab, Network, Node, StaticRoute } from '../core/lab.js';
import { selectNodes } from '../core/lab.js';
import { familyOf } from '../net/ip.js';
import { formatIPv4, parsePrefix, subnetAt } from '../net/ipv4.js';

/** The pairs a link joins: each member of a `per:` group with its own, else every one with every one. */
function pairsOf(a: Node[], b: Node[]): [Node, Node][] {
  const names = new Set(a.map((n) => n.name));
  if (b.length && b.every((n) => n.parent !== undefined && names.has(n.parent)))
    return b.map((n) => [a.find((x) => x.name === n.parent)!, n]);
  const bNames = new Set(b.map((n) => n.name));
  if (a.length && a.every((n) => n.parent !== undefined && bNames.has(n.parent)))
    return a.map((n) => [n, b.find((x) => x.name === n.parent)!]);
  // one group with itself (a full mesh of routers): each pair once, no node with itself
  return a.flatMap((x, i) =>
    b
      .filter((y, j) => y !== x && !(j < i && a.includes(y) && b.includes(x)))
      .map((y): [Node, Node] => [x, y]),
  );
}

/** links: the /31 networks, and an interface on each end (named after the node's last, eth<N>). */
export function resolveLinks(lab: Lab, push: PushIssue): void {
  for (const [name, def] of Object.entries(lab.raw.links)) {
    const path = ['links', name];
    const ends = def.between.map((sel, i) => {
      const found = selectNodes(lab, sel);
      // a per: group of count 0 (servers: 0) is a group with no members, not an unknown name
      if (!found.length && !lab.raw.nodes[sel])
        push({
          code: 'unknown-reference',
          path: [...path, 'between', i],
          message: `link ${name} joins '${sel}', which is no node or group`,
          hint: `nodes and groups are: ${Object.keys(lab.raw.nodes).join(', ')}`,
        });
      return found;
    });
    let pool: ReturnType<typeof parsePrefix>;
    try {
      pool = parsePrefix(def.pool);
    } catch (e) {
      push({
        code: 'prefix-invalid',
        path: [...path, 'pool'],
        message: (e as Error).message,
        hint: 'give the pool as an IPv4 prefix, e.g. 10.1.0.0/16 (a /31 per link)',
      });
      continue;
    }
    const pairs = pairsOf(ends[0], ends[1]);
    const capacity = pool.length > 31 ? 0 : 2 ** (31 - pool.length);
    if (pairs.length > capacity) {
      push({
        code: 'pool-exhausted',
        path: [...path, 'pool'],
        message: `link ${name} needs ${pairs.length} /31s, and ${def.pool} holds ${capacity}`,
        hint: `the links past the ${capacity}th would have no addresses: give the pool a shorter prefix length (a /${Math.max(0, 31 - Math.ceil(Math.log2(pairs.length)))} holds them)`,
      });
      continue;
    }
    pairs.forEach(([x, y], k) => {
      const sub = subnetAt(pool, 31, k);
      const net: Network = {
        name: `${name}-${k + 1}`,
        prefix: `${formatIPv4(sub.network)}/31`,
        length: 31,
        mtu: def.mtu,
        link: { name, ends: [x.name, y.name] },
        path,
      };
      if (lab.raw.networks[net.name])
        push({
          code: 'name-duplicate',
          path: ['networks', net.name],
          message: `network ${net.name} has the name of link ${name}'s ${k + 1}th /31`,
          hint: 'rename the network or the link: a link names its /31s <link>-1, <link>-2, ...',
        });
      lab.networks.push(net);
      [x, y].forEach((node, side) => {
        const address = formatIPv4(sub.network + side);
        node.interfaces.push({
          name: `eth${node.interfaces.length}`,
          network: net.name,
          address,
          cidr: `${address}/31`,
          path,
        });
      });
    });
  }
  resolveRoutesVia(lab, push);
}

/** A route's via that names a node or group (a server's default via its leaf): the address of the one
 * of them it shares a link or network with. */
function resolveRoutesVia(lab: Lab, push: PushIssue): void {
  const named = (via: string | undefined): via is string => via !== undefined && familyOf(via) === undefined;
  for (const node of lab.nodes) {
    if (!node.routes.some((r) => named(r.via))) continue;
    node.routes = node.routes.flatMap((r, i): StaticRoute[] => {
      if (!named(r.via)) return [r];
      const mine = new Set(node.interfaces.map((x) => x.network));
      const hop = selectNodes(lab, r.via)
        .flatMap((p) => p.interfaces)
        .find((x) => mine.has(x.network) && x.address);
      if (!hop?.address) {
        push({
          code: 'route-invalid',
          path: [...node.path, 'routes', i, 'via'],
          message: `node ${node.name}: the gateway '${r.via}' is not an IP address, nor a node ${node.name} shares a network or link with`,
          hint: 'the route cannot be installed: give the gateway address, or name the node (or group) at the other end of one of its links',
        });
        return [];
      }
      return [{ to: r.to, via: hop.address }];
    });
  }
}
