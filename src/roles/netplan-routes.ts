// A host configured by netplan: its addresses and static routes (the client's way to the service pool).

import type { Lab, Node } from '../core/lab.js';
import { renderTemplate } from '../core/templates.js';
import { containsAddress, parseIPv4, parsePrefix } from '../net/ipv4.js';
import { header, type Role } from './role.js';

/** Each interface with the routes whose gateway is on its network. */
export function interfacesWithRoutes(lab: Lab, node: Node) {
  return node.interfaces.map((i) => {
    const net = parsePrefix(lab.networks.find((n) => n.name === i.network)!.prefix);
    return { ...i, routes: node.routes.filter((r) => containsAddress(net, parseIPv4(r.via))) };
  });
}

export const netplanRoutes: Role = {
  name: 'netplan-routes',
  description:
    "addresses and static routes rendered as netplan (the netns provider applies every node's routes itself)",
  render: (lab, node) => [
    {
      node: node.name,
      path: '/etc/netplan/50-lab.yaml',
      content: renderTemplate('netplan/routes.yaml.njk', {
        ...header(lab),
        node,
        interfaces: interfacesWithRoutes(lab, node),
      }),
      mode: 0o600,
      validator: 'netplan',
    },
  ],
};
