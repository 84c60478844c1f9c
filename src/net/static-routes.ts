// Static routes as `ip` commands: what a VM's network config (or netplan apply) sets.
/** A static route: through a gateway, or a discard route (blackhole: dropped, unreachable: ICMP back). */
export type StaticRoute =
  | { to: string; via: string; type?: undefined }
  | { to: string; via?: undefined; type: 'blackhole' | 'unreachable' };

/** Routes through a gateway (discard routes left out), as the other readers of gateways need them. */
export const gatewayRoutes = (routes: StaticRoute[]) =>
  routes.flatMap((r) => (r.via === undefined ? [] : [{ to: r.to, via: r.via }]));

/**
 * `ip route` lines: routes to one prefix through several gateways make one ECMP route; a discard
 * route is the kernel's own type (blackhole, unreachable), bound to no link.
 */
export function staticRoutes(routes: StaticRoute[]): string[] {
  const byPrefix = new Map<string, string[]>();
  for (const r of gatewayRoutes(routes)) {
    // "default" is IPv4's; an IPv6 gateway needs the IPv6 default
    const to = r.to === 'default' && r.via.includes(':') ? '::/0' : r.to;
    const vias = byPrefix.get(to) ?? [];
    if (!vias.includes(r.via)) vias.push(r.via);
    byPrefix.set(to, vias);
  }
  return [
    ...[...byPrefix].map(([to, vias]) =>
      vias.length === 1
        ? `route add ${to} via ${vias[0]}`
        : `route add ${to} ${vias.map((v) => `nexthop via ${v}`).join(' ')}`,
    ),
    ...routes.flatMap((r) => (r.type === undefined ? [] : [`route add ${r.type} ${r.to}`])),
  ];
}
