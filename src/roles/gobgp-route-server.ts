// A GoBGP route server, as GoBGP's own route-server example runs it: each neighbor a route-server
// client with a local RIB of its own (gobgp neighbor ADDRESS local), MD5 passwords, and passive
// sessions (the server listens, the clients connect). It passes routes without its AS or a new next hop.
import type { Role } from '../contracts/role.js';
import { header, renderTemplate } from '../core/templates.js';
import { gobgp } from '../daemons/gobgp.js';
import { gobgpRouteReflector } from './gobgp-route-reflector.js';

export const gobgpRouteServer: Role = {
  name: 'gobgp-route-server',
  speaksBgp: true,
  needsIpv4: true,
  description: 'GoBGP route server: route-server clients with a RIB each, MD5 passwords, passive sessions',
  honours: [
    'bgp.as',
    'bgp.router_id',
    'bgp.neighbors',
    'bgp.neighbors.peer',
    'bgp.neighbors.rs_client',
    'bgp.neighbors.password',
    'bgp.neighbors.passive',
    'bgp.password',
  ],
  render: (lab, node) => [
    {
      node: node.name,
      path: '/etc/gobgp/gobgpd.toml',
      content: renderTemplate('gobgp/route-server.toml.njk', {
        ...header(lab),
        node,
        bgp: node.bgp,
        neighbors: (node.bgp?.neighbors ?? []).map((n) => ({
          ...n,
          // a TOML basic string: JSON's escapes are TOML's
          passwordToml: n.password === undefined ? undefined : JSON.stringify(n.password),
        })),
      }),
      validator: 'gobgp',
    },
  ],
  start: () => [gobgp.start],
  needs: () => ({ daemons: ['gobgp'] }),
  // on a VM gobgpd runs under systemd as the reflector's does
  vm: gobgpRouteReflector.vm,
};
