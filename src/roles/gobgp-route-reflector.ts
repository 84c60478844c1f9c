// A GoBGP route reflector outside the clusters: every neighbor a client, static or dynamic.
import { renderTemplate } from '../render/env.js';
import { header, type Role } from './role.js';

export const GOBGP_API = '127.0.0.1:50051';

export const gobgpRouteReflector: Role = {
  name: 'gobgp-route-reflector',
  description: 'GoBGP route reflector: static neighbors, or dynamic neighbors from a prefix',
  render: (lab, node) => [
    {
      node: node.name,
      path: '/etc/gobgp/gobgpd.toml',
      content: renderTemplate('gobgp/route-reflector.toml.njk', {
        ...header(lab),
        node,
        bgp: node.bgp,
        dynamic: !!node.bgp?.neighborRange && node.vars.dynamic_neighbors !== false,
      }),
      validator: 'gobgpd',
    },
  ],
  start: () => [
    {
      name: 'gobgpd',
      // gobgpd stays in the foreground: detach it and record its pid
      run: `setsid -f sh -c 'echo $$ > /run/gobgpd.pid; exec gobgpd -f /etc/gobgp/gobgpd.toml -p --api-hosts=${GOBGP_API} --pprof-disable' < /dev/null > /var/log/gobgpd.log 2>&1`,
      pidfile: '/run/gobgpd.pid',
    },
  ],
};
