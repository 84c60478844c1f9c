// The routing fields the BIRD and FRR routers render (a role's `honours`); the Role contract itself is
// contracts/role.ts.

/** What the BIRD and FRR routers render of the lab file: every routing field but dynamic neighbors. */
export const ROUTER_FIELDS = [
  'bgp.as',
  'bgp.router_id',
  'bgp.neighbors',
  'bgp.neighbor_range',
  'bgp.import',
  'bgp.export',
  'bgp.ecmp',
  'bgp.route_reflector',
  'bgp.originate',
  'bgp.advertise_loopback',
  'bgp.next_hop_self',
  'bgp.password',
  'bgp.bfd',
  'bgp.neighbors.peer',
  'bgp.neighbors.session',
  'bgp.neighbors.transport',
  'bgp.neighbors.next_hop_self',
  'bgp.neighbors.rr_client',
  'bgp.neighbors.rs_client',
  'bgp.neighbors.password',
  'bgp.neighbors.bfd',
  'bgp.neighbors.import',
  'bgp.neighbors.export',
  'bgp.neighbors.local_pref',
  'bgp.neighbors.med',
  'bgp.neighbors.prepend',
  'bgp.neighbors.timers',
  'bgp.neighbors.passive',
  'bgp.neighbors.ttl_security',
  'bgp.neighbors.allowas_in',
  'bgp.neighbors.default_originate',
  'bgp.neighbors.remove_private_as',
  'ospf',
] as const;

/** FRR's routers render a few more: weight and as-override (BIRD has neither). */
export const FRR_ROUTER_FIELDS = [
  ...ROUTER_FIELDS,
  'bgp.neighbors.weight',
  'bgp.neighbors.as_override',
] as const;
