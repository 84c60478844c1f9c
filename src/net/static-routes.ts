// Static routes as `ip` commands: what a VM's network config (or netplan apply) sets.

/** `ip route` lines: routes to one prefix through several gateways make one ECMP route. */
export function staticRoutes(routes: { to: string; via: string }[]): string[] {
  const byPrefix = new Map<string, string[]>();
  for (const r of routes) {
    // "default" is IPv4's; an IPv6 gateway needs the IPv6 default
    const to = r.to === 'default' && r.via.includes(':') ? '::/0' : r.to;
    const vias = byPrefix.get(to) ?? [];
    if (!vias.includes(r.via)) vias.push(r.via);
    byPrefix.set(to, vias);
  }
  return [...byPrefix].map(([to, vias]) =>
    vias.length === 1
      ? `route add ${to} via ${vias[0]}`
      : `route add ${to} ${vias.map((v) => `nexthop via ${v}`).join(' ')}`,
  );
}
