// nginx: the demo's HTTP backend.
import type { Daemon } from './daemon.js';

export const nginx: Daemon = {
  name: 'nginx',
  package: 'nginx-light',
  commands: ['nginx'],
  start: {
    name: 'nginx',
    run: 'nginx -c /etc/nginx/nginx.conf',
    runDirs: ['/run/nginx-tmp'],
    pidfile: '/run/nginx.pid',
    program: 'nginx',
  },
  // no validator: nginx -t opens the log and pid paths of the node, so its file is checked when the node starts
};
