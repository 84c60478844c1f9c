// A router running FRR: zebra installs routes, bgpd and ospfd (and bfdd, ospf6d) as the lab asks, one
// config file per daemon; `vtysh` works on the node for users and the checks' judges.

import type { RenderedFile, Role } from '../contracts/role.js';
import type { Node } from '../core/lab.js';
import { renderTemplate } from '../core/templates.js';
import { frrStart } from '../daemons/frr.js';
import { frrRouterView } from './frr-view.js';
import { FRR_ROUTER_FIELDS } from './role.js';

/** The FRR daemons a node runs, in start order (zebra first: the others register with it). */
export function frrDaemonsOf(node: Node): string[] {
  const ipv6 = node.interfaces.some((i) => i.address6) || !!node.loopback?.ipv6;
  return [
    'zebra',
    ...(node.bgp?.neighbors.some((n) => n.bfd) ? ['bfdd'] : []),
    ...(node.bgp ? ['bgpd'] : []),
    ...(node.ospf ? ['ospfd'] : []),
    ...(node.ospf?.ipv6 && ipv6 ? ['ospf6d'] : []),
  ];
}

const TEMPLATE: Record<string, string> = {
  zebra: 'frr/router-zebra.conf.njk',
  bgpd: 'frr/router-bgpd.conf.njk',
  ospfd: 'frr/router-ospfd.conf.njk',
  ospf6d: 'frr/router-ospf6d.conf.njk',
  bfdd: 'frr/router-bfdd.conf.njk',
};

export const frrRouter: Role = {
  name: 'frr-router',
  speaksBgp: true,
  description: 'FRR router: BGP (bgpd), OSPF (ospfd, ospf6d), BFD (bfdd) from the lab, routes by zebra',
  honours: FRR_ROUTER_FIELDS,
  render: (lab, node) => {
    const view = frrRouterView(lab, node);
    return frrDaemonsOf(node).map(
      (d): RenderedFile => ({
        node: node.name,
        path: `/etc/frr/${d}.conf`,
        content: renderTemplate(TEMPLATE[d], view),
        validator: 'frr',
      }),
    );
  },
  start: (_lab, node) => [
    {
      name: 'forwarding',
      run: 'sysctl -qw net.ipv4.ip_forward=1 net.ipv4.fib_multipath_hash_policy=1 net.ipv6.conf.all.forwarding=1',
    },
    // the node's /run and /var/log are its own: FRR's sockets, pid files and logs stay on the node
    { name: 'frr-dirs', run: 'mkdir -p /run/frr /var/log/frr && chown frr:frr /run/frr /var/log/frr' },
    ...frrDaemonsOf(node).map((d) => frrStart(d)),
  ],
  // FRR's daemons come in one package; vtysh is how users and judges look at them
  needs: (_lab, node) => ({
    daemons: ['frr'],
    tools: frrDaemonsOf(node).map((command) => ({ command, package: 'frr' })),
  }),
};
