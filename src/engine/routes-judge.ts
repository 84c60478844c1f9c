// A fabric's routes judged from one read of a node's table: every prefix a set of nodes announces,
// each with one next hop per node of another set (RFC 7938: every leaf's prefix over every spine).
import { addressTowards } from '../core/addressing.js';
import { type Lab, type Node, nodeByName } from '../core/lab.js';
import { fail, peersOf, type Verdict } from './verdict.js';

/** `ip route show`: each route's prefix (a host route written with its /32) and its gateways. */
export function routeTable(output: string): Map<string, string[]> {
  const table = new Map<string, string[]>();
  let hops: string[] | undefined;
  for (const line of output.split('\n')) {
    if (!line.trim()) continue;
    const vias = [...line.matchAll(/\bvia (?:inet6 )?([0-9a-fA-F]*[.:][0-9a-fA-F.:]+)/g)].map((m) => m[1]);
    if (/^\s/.test(line)) {
      hops?.push(...vias); // a `nexthop via` line of the route above
      continue;
    }
    const first = line.split(/\s+/)[0];
    const prefix =
      first === 'default'
        ? '0.0.0.0/0'
        : first.includes('/')
          ? first
          : `${first}/${first.includes(':') ? 128 : 32}`;
    hops = [...vias];
    table.set(prefix, hops);
  }
  return table;
}

const select = (lab: Lab, selectors: string | string[], self: string): Node[] => [
  ...new Set(peersOf(lab, selectors, self)),
];

/** Every IPv4 prefix the `of` nodes announce, routed over exactly the `via` nodes' addresses towards us. */
export function judgeRoutes(
  lab: Lab,
  checkNode: string,
  output: string,
  spec: { of: string | string[]; via: string | string[] },
): Verdict {
  const self = nodeByName(lab, checkNode);
  const vias = select(lab, spec.via, checkNode).map((n) => ({
    name: n.name,
    address: addressTowards(self, n)?.address,
  }));
  const announcers = select(lab, spec.of, checkNode);
  if (!vias.length) return fail(`the selection ${JSON.stringify(spec.via)} names no node`);
  if (!announcers.length) return fail(`the selection ${JSON.stringify(spec.of)} names no node`);
  const own = new Set((self?.bgp?.originate ?? []).map((o) => o.prefix));
  const wanted = announcers.flatMap((n) =>
    (n.bgp?.originate ?? [])
      .filter((o) => o.family === 'ipv4' && !own.has(o.prefix))
      .map((o) => ({ node: n.name, prefix: o.prefix })),
  );
  if (!wanted.length) return fail('the selected nodes announce no IPv4 prefix (loopback or originate)');
  const expected = new Set(vias.map((v) => v.address));
  const table = routeTable(output);
  const bad: string[] = [];
  for (const w of wanted) {
    const hops = table.get(w.prefix);
    if (!hops) {
      bad.push(`${w.node}'s ${w.prefix}: no route`);
      continue;
    }
    const have = new Set(hops);
    const missing = vias.filter((v) => !v.address || !have.has(v.address));
    const stray = [...have].filter((h) => !expected.has(h));
    if (missing.length || stray.length)
      bad.push(
        `${w.node}'s ${w.prefix}: ${have.size} of ${vias.length} next hops${missing.length ? `, none via ${missing.map((v) => `${v.name} (${v.address ?? 'no shared network'})`).join(', ')}` : ''}${stray.length ? `, also via ${stray.join(', ')}` : ''}`,
      );
  }
  if (bad.length)
    return {
      ok: false,
      reason: `${bad.length} of ${wanted.length} prefixes not routed over every ${[spec.via].flat().join(', ')}: ${bad.slice(0, 5).join('; ')}${bad.length > 5 ? `; and ${bad.length - 5} more` : ''}`,
    };
  return {
    ok: true,
    detail: `${wanted.length} prefixes of ${announcers.length} nodes, each over ${vias.length} next hops`,
  };
}
