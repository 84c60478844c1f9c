// A host configured by netplan: its addresses and static routes (the client's way to the service pool).

import type { Role } from '../contracts/role.js';
import type { Lab, Node } from '../core/lab.js';
import { networkByName } from '../core/lab.js';
import { cidrContains, parseCidr } from '../net/ip.js';
import { gatewayRoutes, staticRoutes } from '../net/static-routes.js';
import { yamlDocuments } from '../yaml-quote.js';

/**
 * Each interface with the routes whose gateway is on its network; discard routes (netplan's route
 * type blackhole or unreachable, no gateway) go with the first interface, as netplan needs one.
 */
export function interfacesWithRoutes(lab: Lab, node: Node) {
  const discards = node.routes.flatMap((r) => (r.type ? [{ to: r.to, type: r.type }] : []));
  return node.interfaces.map((i, index) => {
    const net = networkByName(lab, i.network)!;
    // a gateway of either family on this interface's network (IPv6 on a dual-stack one)
    const onNet = (via: string) =>
      [net.prefix, net.prefix6].some((p) => p && cidrContains(parseCidr(p), via));
    const routes: { to: string; via?: string; type?: string }[] = gatewayRoutes(node.routes)
      .filter((r) => onNet(r.via))
      .map((r) => ({ ...r, to: r.to === 'default' && r.via.includes(':') ? '::/0' : r.to }));
    if (index === 0) routes.push(...discards);
    return { ...i, addresses: [i.cidr, i.cidr6].filter(Boolean), routes };
  });
}

export const netplanRoutes: Role = {
  name: 'netplan-routes',
  description:
    'addresses and static routes rendered as netplan; emulated, the routes are applied when the role starts (netplan apply)',
  render: (lab, node) => [
    {
      node: node.name,
      path: '/etc/netplan/50-lab.yaml',
      content: yamlDocuments(
        [`netplan on ${node.name}: addresses and routes; rendered by lab from ${lab.name}.`],
        [
          {
            network: {
              version: 2,
              ethernets: Object.fromEntries(
                interfacesWithRoutes(lab, node).map((i) => [
                  i.name,
                  {
                    addresses: i.addresses,
                    ...(i.routes.length
                      ? {
                          routes: i.routes.map((r) =>
                            r.type ? { to: r.to, type: r.type } : { to: r.to, via: r.via },
                          ),
                        }
                      : {}),
                  },
                ]),
              ),
            },
          },
        ],
      ),
      mode: 0o600,
      validator: 'netplan',
    },
  ],
  // as `netplan apply` would: replace, so that starting twice changes nothing
  start: (_lab, node) =>
    node.routes.length
      ? [
          {
            name: 'netplan-apply',
            run: staticRoutes(node.routes)
              .map((line) => `ip ${line.replace(/^route add /, 'route replace ')}`)
              .join(' && '),
          },
        ]
      : [],
  // on a VM its routes are the base step's (ip route replace), as every node's
  vm: {},
};
