// Routers and reflectors outside Kubernetes run the very files the emulated lab renders, under systemd.

import type { RenderedFile } from '../../../contracts/role.js';
import type { Node } from '../../../core/lab.js';
import { GOBGPD_ARGS } from '../../../daemons/gobgp.js';
import { type Step, script, writeFile } from './step.js';

const GOBGPD_UNIT = `[Unit]
Description=GoBGP route reflector (lab)
After=network-online.target

[Service]
ExecStart=/usr/bin/gobgpd ${GOBGPD_ARGS}
Restart=on-failure

[Install]
WantedBy=multi-user.target
`;

export function daemonSteps(node: Node, files: RenderedFile[]): Step[] {
  const file = (path: string) => files.find((f) => f.node === node.name && f.path === path);
  const lines: string[] = [];
  const did: string[] = [];
  const bird = file('/etc/bird/bird.conf');
  if (node.roles.includes('bird-router') && bird) {
    lines.push(
      ...writeFile(bird.path, bird.content),
      'bird -p -c /etc/bird/bird.conf',
      'systemctl restart bird',
    );
    did.push('BIRD');
  }
  const gobgp = file('/etc/gobgp/gobgpd.toml');
  if (node.roles.includes('gobgp-route-reflector') && gobgp) {
    lines.push(
      ...writeFile(gobgp.path, gobgp.content),
      ...writeFile('/etc/systemd/system/lab-gobgpd.service', GOBGPD_UNIT),
      'systemctl daemon-reload',
      'systemctl enable --now lab-gobgpd.service',
    );
    did.push('GoBGP');
  }
  if (!lines.length) return [];
  return [
    {
      phase: 'daemons',
      node: node.name,
      title: did.join(', '),
      script: script(`${node.name}: ${did.join(', ')}`, lines),
      timeoutS: 300,
    },
  ];
}
