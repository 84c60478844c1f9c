// An external router running BIRD 2: one BGP session per neighbor, ECMP into the kernel, forwarding on.

import type { Role } from '../contracts/role.js';
import { header, renderTemplate } from '../core/templates.js';
import { bird } from '../daemons/bird.js';
import { renderedFileOf } from '../vm/rendered.js';
import { writeFile } from '../vm/script.js';
import { birdRouterView } from './bird-view.js';
import { ROUTER_FIELDS } from './role.js';

export const birdRouter: Role = {
  name: 'bird-router',
  speaksBgp: true,
  description: 'BIRD 2 router: BGP peers from the lab, kernel routes with ECMP, IP forwarding',
  honours: ROUTER_FIELDS,
  render: (lab, node) => [
    {
      node: node.name,
      path: '/etc/bird/bird.conf',
      content: renderTemplate('bird/router.conf.njk', {
        ...header(lab),
        node,
        bgp: node.bgp ?? { neighbors: [] },
        v: birdRouterView(lab, node),
      }),
      validator: 'bird',
    },
  ],
  start: () => [
    // hash on ports too, so that connections from one client spread over the ECMP next hops
    {
      name: 'forwarding',
      run: 'sysctl -qw net.ipv4.ip_forward=1 net.ipv4.fib_multipath_hash_policy=1 net.ipv6.conf.all.forwarding=1',
    },
    bird.start,
  ],
  needs: () => ({ daemons: ['bird'] }),
  vm: {
    packages: () => ['bird2'],
    forwards: true,
    // outside Kubernetes it runs the very file the emulated lab renders, under systemd
    daemon: (node, files) => {
      const conf = renderedFileOf(files, node, '/etc/bird/bird.conf');
      return (
        conf && {
          name: 'BIRD',
          lines: [
            ...writeFile(conf.path, conf.content),
            'bird -p -c /etc/bird/bird.conf',
            'systemctl restart bird',
          ],
        }
      );
    },
  },
};
