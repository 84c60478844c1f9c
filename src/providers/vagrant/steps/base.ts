// Every VM: its packages, forwarding (IPv4 and IPv6) where one of its roles routes, and the lab's static
// routes. A route to `default` would take Vagrant's NAT (and so apt and image pulls) away: it becomes one
// route per lab network the node is not on.
import type { VmStep } from '../../../contracts/vm.js';
import type { Lab, Node } from '../../../core/lab.js';
import { gatewayRoutes } from '../../../net/static-routes.js';
import { roleOf } from '../../../roles/index.js';
import { q, script } from '../../../vm/script.js';

const ALWAYS = ['ca-certificates', 'curl', 'iproute2'];

export function packagesOf(lab: Lab, node: Node): string[] {
  const roles = node.roles.flatMap((r) => roleOf(r)?.vm?.packages?.(lab, node) ?? []);
  return [...new Set([...ALWAYS, ...roles])].sort();
}

/** The node's routes as `ip route replace` arguments, `default` spelled out per lab network. */
export function routesOf(lab: Lab, node: Node): { to: string; via: string }[] {
  const own = new Set(node.interfaces.map((i) => i.network));
  return gatewayRoutes(node.routes).flatMap((r) =>
    r.to === 'default'
      ? lab.networks
          .filter((n) => !own.has(n.name))
          // an IPv6 default names an IPv6 gateway: the networks of that family
          .flatMap((n) => {
            const to = r.via.includes(':') ? n.prefix6 : n.prefix;
            return to ? [{ to, via: r.via }] : [];
          })
      : [r],
  );
}

export function baseStep(lab: Lab, node: Node): VmStep {
  const forwarding = node.roles.some((r) => roleOf(r)?.vm?.forwards);
  const routes = routesOf(lab, node);
  const discards = node.routes.filter((r) => r.type).length;
  const lines = [
    `hostnamectl set-hostname ${q(node.name)}`,
    'apt-get update -qq',
    `apt-get install -y -qq --no-install-recommends ${packagesOf(lab, node).join(' ')}`,
    ...(forwarding
      ? [
          // both families, as the roles do on netns (bird-router, frr-router, ip-router): a dual-stack
          // lab's IPv6 would otherwise stop at the first router. The management network is IPv4
          // (libvirt's given prefix, VirtualBox NAT), so forwarding's "no router advertisements" costs
          // the VM no route
          "printf 'net.ipv4.ip_forward = 1\\nnet.ipv6.conf.all.forwarding = 1\\n' > /etc/sysctl.d/60-lab-forwarding.conf",
          'sysctl -q -w net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1',
        ]
      : []),
    ...routes.map((r) => `ip route replace ${q(r.to)} via ${q(r.via)}`),
    // discard routes: the kernel's own route types, on no link
    ...node.routes.flatMap((r) => (r.type ? [`ip route replace ${r.type} ${q(r.to)}`] : [])),
  ];
  return {
    phase: 'base',
    node: node.name,
    title: `packages${forwarding ? ', forwarding' : ''}${routes.length + discards ? `, ${routes.length + discards} routes` : ''}`,
    script: script(`${node.name}: base`, lines),
    timeoutS: 900,
  };
}
