// A GoBGP route reflector outside the clusters: every neighbor a client, static or dynamic.

import type { Role } from '../contracts/role.js';
import { header, renderTemplate } from '../core/templates.js';
import { GOBGPD_ARGS, gobgp } from '../daemons/gobgp.js';
import { renderedFileOf } from '../vm/rendered.js';
import { writeFile } from '../vm/script.js';

/** On a VM gobgpd runs under systemd, with the arguments it starts with on netns. */
const GOBGPD_UNIT = `[Unit]
Description=GoBGP route reflector (lab)
After=network-online.target

[Service]
ExecStart=/usr/bin/gobgpd ${GOBGPD_ARGS}
Restart=on-failure

[Install]
WantedBy=multi-user.target
`;

export const gobgpRouteReflector: Role = {
  name: 'gobgp-route-reflector',
  speaksBgp: true,
  needsIpv4: true,
  description: 'GoBGP route reflector: static neighbors, or dynamic neighbors from a prefix',
  // every neighbor a client, everything passed: no filters, originate or session options
  honours: [
    'bgp.as',
    'bgp.router_id',
    'bgp.neighbors',
    'bgp.neighbors.peer',
    'bgp.neighbor_range',
    'bgp.route_reflector',
  ],
  vars: ['dynamic_neighbors'],
  checkVar: (name, value) =>
    name === 'dynamic_neighbors' && typeof value !== 'boolean' ? 'true or false' : undefined,
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
      validator: 'gobgp',
    },
  ],
  start: () => [gobgp.start],
  needs: () => ({ daemons: ['gobgp'] }),
  vm: {
    packages: () => ['gobgpd'],
    daemon: (node, files) => {
      const conf = renderedFileOf(files, node, '/etc/gobgp/gobgpd.toml');
      return (
        conf && {
          name: 'GoBGP',
          lines: [
            ...writeFile(conf.path, conf.content),
            ...writeFile('/etc/systemd/system/lab-gobgpd.service', GOBGPD_UNIT),
            'systemctl daemon-reload',
            'systemctl enable --now lab-gobgpd.service',
          ],
        }
      );
    },
  },
};
