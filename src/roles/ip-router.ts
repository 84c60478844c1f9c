// A plain router between lab networks: forwarding on (IPv4 and IPv6), nothing else.
import type { Role } from '../contracts/role.js';

export const ipRouter: Role = {
  name: 'ip-router',
  description: 'a router that forwards between its networks (no routing protocol)',
  start: () => [
    { name: 'forwarding', run: 'sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1' },
  ],
  vm: { forwards: true },
};
