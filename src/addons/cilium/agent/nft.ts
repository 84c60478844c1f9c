// The service load-balancer as one nftables table, replaced atomically on every change: DNAT of each
// service address over its chosen backends, picked at random per connection (Cilium's default
// "random" algorithm; IPVS is not available here).
import type { Backend } from './rules.js';

export const TABLE = 'cilium_lb';

export interface Frontend {
  name: string;
  address: string;
  port: number;
  protocol: 'tcp' | 'udp';
  backends: Backend[];
}

function rule(f: Frontend): string {
  const match = `ip daddr ${f.address} ${f.protocol} dport ${f.port}`;
  // no backend: the packet is dropped, as Cilium does (clients time out)
  if (!f.backends.length) return `    ${match} drop comment "${f.name}: no backends"`;
  const samePort = f.backends.every((b) => b.port === f.port);
  const entries = f.backends.map((b, i) => `${i} : ${b.ip}${samePort ? '' : ` . ${b.port}`}`).join(', ');
  const target = samePort ? 'dnat to' : 'dnat ip addr . port to';
  return `    ${match} ${target} numgen random mod ${f.backends.length} map { ${entries} } comment "${f.name}"`;
}

/** The whole table, deleted and rebuilt in one transaction: no connection sees half a change. */
export function renderRuleset(frontends: Frontend[]): string {
  return [
    `table ip ${TABLE}`,
    `delete table ip ${TABLE}`,
    `table ip ${TABLE} {`,
    '  chain prerouting { type nat hook prerouting priority dstnat; policy accept; jump services; }',
    '  chain output { type nat hook output priority -100; policy accept; jump services; }',
    '  chain services {',
    ...frontends.map(rule),
    '  }',
    '}',
    '',
  ].join('\n');
}
