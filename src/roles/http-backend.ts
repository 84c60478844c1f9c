// The demo's backend: nginx answering with the node's name, so a client sees which node served it.
import { renderTemplate } from '../render/env.js';
import { header, type Role } from './role.js';

export const httpBackend: Role = {
  name: 'http-backend',
  description: "nginx answering HTTP with the node's name",
  render: (lab, node) => [
    {
      node: node.name,
      path: '/etc/nginx/nginx.conf',
      content: renderTemplate('nginx/nginx.conf.njk', {
        ...header(lab),
        node,
        port: Number(node.vars.http_port ?? 80),
        answer: node.name,
      }),
      validator: 'nginx',
    },
  ],
  start: () => [
    {
      name: 'nginx',
      run: 'mkdir -p /run/nginx-tmp && nginx -c /etc/nginx/nginx.conf',
      pidfile: '/run/nginx.pid',
    },
  ],
};
