// The demo's backend: nginx answering with the node's name, so a client sees which node served it.

import type { Role } from '../contracts/role.js';
import { header, renderTemplate } from '../core/templates.js';
import { nginx } from '../daemons/nginx.js';
import { inKubernetes } from '../vm/kubernetes.js';
import { renderedFileOf } from '../vm/rendered.js';
import { writeFile } from '../vm/script.js';

export const httpBackend: Role = {
  name: 'http-backend',
  description: "nginx answering HTTP with the node's name",
  vars: ['http_port'],
  checkVar: (name, value) =>
    name === 'http_port' && !(Number.isInteger(Number(value)) && Number(value) >= 1 && Number(value) <= 65535)
      ? 'a port is a number from 1 to 65535'
      : undefined,
  render: (lab, node) => [
    {
      node: node.name,
      path: '/etc/nginx/nginx.conf',
      content: renderTemplate('nginx/nginx.conf.njk', {
        ...header(lab),
        node,
        port: Number(node.vars.http_port ?? 80),
        answer: node.name,
        // IPv6 too in a lab that has it (a node's own address, or a service address it holds, as MetalLB's)
        ipv6: lab.networks.some((n) => n.prefix6),
      }),
      validator: 'nginx',
    },
  ],
  start: () => [nginx.start],
  needs: () => ({ daemons: ['nginx'] }),
  // in Kubernetes it is a DaemonSet its control plane applies (roles/kubernetes-vm.ts); outside, nginx
  // from the rendered configuration
  vm: {
    packages: (lab, node) => (inKubernetes(lab, node) ? [] : ['nginx-light']),
    workloads: (_lab, node, files) => {
      const conf = renderedFileOf(files, node, '/etc/nginx/nginx.conf');
      return conf
        ? [
            ...writeFile(conf.path, conf.content),
            'install -d /run/nginx-tmp',
            'nginx -t',
            'systemctl restart nginx',
          ]
        : [];
    },
  },
};
