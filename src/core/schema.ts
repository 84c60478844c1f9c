// The one schema of a lab file, but for the plug-ins' parts: each add-on's configuration and the
// providers a lab may name are given by model/lab-schema.ts (core names no add-on and no provider).
// The JSON Schema for editors is generated from the whole.
import { z } from 'zod';
import { parseCommunity } from '../daemons/communities.js';
import { BGP_DAEMONS } from '../daemons/index.js';
import type { Filter as DaemonFilter } from '../daemons/policy.js';
import { address, asn, count, groupCount, name, prefix, selector, token, version } from './schema-parts.js';

const prefix6 = token('an IPv6 prefix').describe('an IPv6 prefix, e.g. 2001:db8:1::/64');
const address6 = token('an IPv6 address').describe('an IPv6 address, e.g. 2001:db8:1::1');
const anyPrefix = token('a prefix').describe('an IPv4 or IPv6 prefix');
const anyAddress = token('an address').describe('an IPv4 or IPv6 address');
// a standard (65000:1 or a well-known name), large (65000:0:1) or extended (rt:65000:1) community
const community = z
  .string()
  .superRefine((text, ctx) => {
    const c = parseCommunity(text);
    if (typeof c === 'string') ctx.addIssue({ code: 'custom', message: c });
  })
  .describe(
    'a BGP community: standard 65000:1 (or no-export, no-advertise, local-as, blackhole, graceful-shutdown), large 65000:0:1, extended rt:65000:1 or soo:65000:1',
  );
const u32 = z.number().int().min(0).max(4294967295);
// an OSPF area: dotted like 0.0.0.0, or a number
// (YAML reads `area: 1` as a number: taken as the area it means, not refused as the wrong type)
const area = z
  .union([
    z.number().int().min(0).max(4294967295),
    z.string().regex(/^(\d{1,10}|\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3})$/, 'an area id such as 0.0.0.0 or 0'),
  ])
  .transform(String)
  .describe('an OSPF area: 0.0.0.0, or a number');

const param = z
  .object({
    default: z.union([z.number(), z.string(), z.boolean()]),
    description: z.string().optional(),
    min: z.number().optional(),
    max: z.number().optional(),
    choices: z.array(z.union([z.string(), z.number()])).optional(),
  })
  .strict();

const network = z
  .object({
    prefix: z
      .string()
      .optional()
      .describe('the IPv4 prefix, a.b.c.d/len (leave it out for an IPv6-only network)'),
    prefix6: prefix6
      .optional()
      .describe(
        'the IPv6 prefix: beside prefix for dual stack, or alone (interfaces get index-based addresses)',
      ),
    gateway: address.optional().describe('the router of this network, if any (a node address)'),
    mtu: z.number().int().min(576).max(9000).default(1500),
    unnumbered: z
      .literal(true)
      .optional()
      .describe(
        'a link with no addresses but IPv6 link-local ones, for BGP unnumbered sessions (session: unnumbered)',
      ),
    description: z.string().optional(),
  })
  .strict()
  .refine((n) => n.prefix !== undefined || n.prefix6 !== undefined || n.unnumbered, {
    message: 'a network needs a prefix (IPv4), a prefix6 (IPv6), or both (or unnumbered: true)',
  });

const iface = z
  .object({
    network: name,
    address: address.optional().describe('explicit address; or give index'),
    address6: address6
      .optional()
      .describe(
        "explicit IPv6 address on a network with a prefix6; defaults to the network's prefix6 + index",
      ),
    index: count.optional().describe('address = network address + index (+ member number in a group)'),
    name: token('an interface name')
      .optional()
      .describe('interface name inside the node (default eth0, eth1, ...)'),
  })
  .strict();

const route = z
  .object({
    to: token('a prefix or default').describe('prefix (IPv4 or IPv6) or "default"'),
    via: anyAddress.optional().describe('the gateway; several routes to one prefix make one ECMP route'),
    type: z
      .enum(['blackhole', 'unreachable'])
      .optional()
      .describe(
        'a discard route instead of a gateway: blackhole drops silently, unreachable answers ICMP unreachable',
      ),
  })
  .strict()
  .refine((r) => (r.via === undefined) !== (r.type === undefined), {
    message:
      'a route has a gateway (via) or is a discard route (type: blackhole or unreachable), one of the two',
    path: ['via'],
  })
  .refine((r) => r.type === undefined || r.to !== 'default', {
    message: 'a discard route names its family: write 0.0.0.0/0 or ::/0 instead of default',
    path: ['to'],
  });

// what a policy rule does to the routes it lets through
const attributeSet = z
  .object({
    local_pref: u32.optional().describe('LOCAL_PREF (higher wins; iBGP carries it, eBGP does not)'),
    med: u32.optional().describe('MULTI_EXIT_DISC (lower wins among paths from one neighbouring AS)'),
    prepend: z.number().int().min(1).max(10).optional().describe('prepend our own AS this many times'),
    communities: z.array(community).min(1).optional().describe('communities added (any kind)'),
    strip_communities: z.array(community).min(1).optional().describe('communities removed (any kind)'),
  })
  .strict();

const policyRule = z
  .object({
    action: z.enum(['permit', 'deny']),
    prefix: z
      .union([anyPrefix, z.array(anyPrefix).min(1)])
      .optional()
      .describe(
        'the route is one of these prefixes (exactly, or with ge/le: a length in that range inside it)',
      ),
    ge: z.number().int().min(0).max(128).optional().describe('with prefix: prefix lengths from this one'),
    le: z.number().int().min(0).max(128).optional().describe('with prefix: prefix lengths up to this one'),
    community: z
      .union([community, z.array(community).min(1)])
      .optional()
      .describe('the route carries this community (or any of these), of any kind'),
    as_path_contains: z.number().int().min(1).max(4294967295).optional().describe('this AS is on the path'),
    as_path_origin: z
      .number()
      .int()
      .min(1)
      .max(4294967295)
      .optional()
      .describe('the route was originated in this AS'),
    set: attributeSet.optional().describe('what a permit does to the routes it matches'),
  })
  .strict()
  .refine((r) => r.action === 'permit' || r.set === undefined, {
    message: 'a deny rule drops the route: it has nothing to set (make it a permit, or drop set)',
    path: ['set'],
  })
  .refine((r) => r.prefix !== undefined || (r.ge === undefined && r.le === undefined), {
    message: 'ge and le bound the length of routes inside a prefix: give prefix too',
    path: ['ge'],
  });

const filter = z
  .union([
    z.enum(['all', 'none']),
    z.array(anyPrefix),
    z
      .object({
        prefixes: z
          .array(anyPrefix)
          .optional()
          .describe('prefixes let through (and longer ones inside them)'),
        communities: z.array(community).min(1).optional().describe('routes carrying any of these'),
      })
      .strict(),
    z
      .object({
        rules: z
          .array(policyRule)
          .min(1)
          .describe('the first rule that matches decides; all its matches must hold'),
        default: z
          .enum(['permit', 'deny'])
          .default('deny')
          .describe('what happens to a route no rule matches'),
      })
      .strict(),
  ])
  .describe(
    'all, none, the list of prefixes let through, { prefixes, communities } (both must match), or { rules, default } (a route-map)',
  );

// BIRD quotes it and FRR takes one word: printable, no spaces, quotes or backslashes
const password = z
  .string()
  .regex(/^[!#-&(-[\]-~]{1,80}$/, 'at most 80 printable characters, without spaces, quotes or backslashes');

// BFD: on, or on with its timers (the lab's default: 100 ms, 3 missed)
const bfd = z.union([
  z.boolean(),
  z
    .object({
      interval: z.number().int().min(10).max(60000).describe('ms between packets, each way (min rx and tx)'),
      multiplier: z.number().int().min(2).max(255).describe('packets missed before the session is down'),
    })
    .strict(),
]);

const neighbor = z
  .object({
    peer: selector,
    session: z
      .enum(['interface', 'loopback', 'unnumbered'])
      .optional()
      .describe(
        'the addresses the session runs between; default: loopback for iBGP when both have one; unnumbered: the IPv6 link-local addresses of the network both are on, carrying IPv4 and IPv6 (extended next hop)',
      ),
    transport: z
      .enum(['ipv4', 'ipv6', 'dual'])
      .optional()
      .describe(
        'one session per address family (each carries its own family); default: every family both ends have',
      ),
    next_hop_self: z
      .boolean()
      .optional()
      .describe(
        'our address as next hop of routes learned over eBGP, towards this peer (reflected routes keep theirs)',
      ),
    rr_client: z.boolean().optional().describe('on a reflector: this iBGP peer is a client (default true)'),
    rs_client: z.boolean().optional().describe('route server: pass routes unchanged to this eBGP peer'),
    password: password.optional().describe('TCP MD5 password; both sides must agree'),
    bfd: bfd.optional().describe('tie the session to a BFD session (true, or with its timers)'),
    import: filter.optional().describe("this session's import policy, instead of bgp.import"),
    export: filter.optional().describe("this session's export policy, instead of bgp.export"),
    local_pref: u32.optional().describe('LOCAL_PREF set on every route learned from this peer'),
    med: u32.optional().describe('MED set on every route sent to this peer'),
    prepend: z
      .number()
      .int()
      .min(1)
      .max(10)
      .optional()
      .describe('prepend our AS this many times towards this peer'),
    weight: z
      .number()
      .int()
      .min(0)
      .max(65535)
      .optional()
      .describe("FRR's weight on routes from this peer (local to the router; BIRD has none)"),
    timers: z
      .object({
        keepalive: z
          .number()
          .int()
          .min(1)
          .max(21845)
          .optional()
          .describe('seconds between keepalives (default hold / 3)'),
        hold: z
          .number()
          .int()
          .refine((h) => h === 0 || (h >= 3 && h <= 65535), 'a hold time is 0 (none) or 3 to 65535 seconds')
          .optional()
          .describe('seconds without a message before the session drops; the lower of both ends wins'),
        connect: z
          .number()
          .int()
          .min(1)
          .max(65535)
          .optional()
          .describe('seconds between connection attempts'),
      })
      .strict()
      .refine(
        (t) => t.keepalive === undefined || t.hold === undefined || t.hold === 0 || t.keepalive < t.hold,
        {
          message: 'the keepalive must come more often than the hold time runs out (keepalive < hold)',
          path: ['keepalive'],
        },
      )
      .optional()
      .describe('BGP timers of this session (the lab default: keepalive 3, hold 9, connect 1)'),
    passive: z.boolean().optional().describe('wait for the peer to connect, never connect ourselves'),
    ttl_security: z
      .boolean()
      .optional()
      .describe('GTSM (RFC 5082): send with TTL 255, accept only 255 (one hop)'),
    allowas_in: z
      .union([z.boolean(), z.number().int().min(1).max(10)])
      .optional()
      .describe('accept routes whose AS path holds our own AS (up to this many times; true: once)'),
    default_originate: z
      .boolean()
      .optional()
      .describe('send this peer a default route, whether we have one or not'),
    remove_private_as: z
      .boolean()
      .optional()
      .describe('remove private AS numbers from paths sent to this peer'),
    as_override: z
      .boolean()
      .optional()
      .describe("FRR: replace the peer's AS in paths sent to it with ours (BIRD has none)"),
  })
  .strict();

const originate = z.union([
  anyPrefix,
  z.object({ prefix: anyPrefix, communities: z.array(community).default([]) }).strict(),
]);

const ospfNetwork = z.union([
  name,
  z
    .object({
      network: name,
      area: area.optional(),
      passive: z.boolean().default(false),
      cost: z.number().int().min(1).max(65535).optional(),
    })
    .strict(),
]);

const ospf = z
  .object({
    area: area.default('0.0.0.0').describe('the area of every interface unless one says otherwise'),
    router_id: address.optional().describe('defaults to the loopback, else the first interface address'),
    networks: z
      .array(ospfNetwork)
      .optional()
      .describe("networks OSPF runs on (default: all the node's); the loopback is always advertised"),
    passive: z.array(name).default([]).describe('networks advertised but without adjacencies'),
    ipv6: z.boolean().default(false).describe('also run OSPFv3 for the IPv6 addresses'),
  })
  .strict();

const bgp = z
  .object({
    as: z
      .union([asn, z.literal('private')])
      .optional()
      .describe(
        "this node's AS; defaults to its cluster's. private: each member its own private AS, the next free one (64512-65534, then 4200000000-4294967294), as RFC 7938 gives every leaf",
      ),
    router_id: address.optional(),
    neighbors: z
      .array(z.union([selector, neighbor]))
      .default([])
      .describe('peers, by node, group or cluster; or { peer, ... } with per-session options'),
    neighbor_range: prefix.optional().describe('accept any peer from this prefix (dynamic neighbors)'),
    import: filter.optional(),
    export: filter.optional(),
    ecmp: z
      .union([z.boolean(), z.object({ limit: count }).strict()])
      .optional()
      .describe('install multipath routes; true sets the limit to at least the number of paths'),
    route_reflector: z
      .object({ cluster_id: address.optional().describe('defaults to the node address') })
      .strict()
      .optional()
      .describe('this node reflects routes between its iBGP neighbors (clients unless rr_client: false)'),
    originate: z
      .array(originate)
      .default([])
      .describe(
        "prefixes this node announces itself (a network, an aggregate), with communities; a link's name: the node's own /31s of that link",
      ),
    advertise_loopback: z.boolean().default(true).describe("announce the node's loopback addresses"),
    next_hop_self: z.boolean().optional().describe('default for every neighbor'),
    password: password.optional().describe('TCP MD5 password, default for every neighbor'),
    bfd: bfd.optional().describe('BFD on every session, unless a neighbor says otherwise'),
  })
  .strict();

// point-to-point links between two node groups, each its own /31 taken from a pool in order
const link = z
  .object({
    between: z
      .tuple([selector, selector])
      .describe(
        'two nodes or groups: every member of the first linked with every member of the second (a Clos stage); with a group whose per: names the first, each member with its own only',
      ),
    pool: prefix.describe('the IPv4 prefix the links take their /31s from, in order (RFC 3021)'),
    mtu: z.number().int().min(576).max(9000).default(1500),
    description: z.string().optional(),
  })
  .strict();

const node = z
  .object({
    count: groupCount.optional().describe('a group of nodes named <name>1..<name>N'),
    per: name
      .optional()
      .describe(
        'count is per member of this group (servers per leaf): count x its members in all, 0 allowed; a link between the two joins each member with its own',
      ),
    roles: z.array(token('a role')).default([]),
    cluster: name.optional(),
    interfaces: z.array(iface).default([]),
    routes: z.array(route).default([]),
    loopback: z
      .union([anyAddress, z.array(anyAddress).min(1).max(2)])
      .optional()
      .describe(
        "loopback address(es), IPv4 and/or IPv6, /32 and /128 unless written with a length (10.255.0.1/24: the whole prefix is the node's, and announced); default: from loopbacks: pools",
      ),
    bgp: bgp.optional(),
    ospf: ospf.optional(),
    vars: z.record(z.string(), z.unknown()).default({}).describe('role parameters'),
    description: z.string().optional(),
  })
  .strict();

const expectation = z
  .object({
    match: z.string().optional().describe('a regular expression (RE2 syntax) the output must match'),
    contains: z.string().optional().describe('text the output must contain'),
    lines: z
      .object({ match: z.string(), count: count.optional(), min: count.optional() })
      .strict()
      .optional()
      .describe('count the output lines matching a regular expression (RE2 syntax)'),
    bgp_established: z
      .object({
        daemon: z.enum(BGP_DAEMONS),
        peers: z.union([selector, z.array(selector)]),
        received: z
          .literal('blocks')
          .optional()
          .describe('gobgp: each peer announced exactly the pod blocks it holds'),
      })
      .strict()
      .optional()
      .describe('every peer of the selection is Established (birdc show protocols / gobgp neighbor)'),
    bgp_route: z
      .object({
        daemon: z.enum(['bird', 'frr']),
        prefix: anyPrefix,
        next_hop: z
          .union([selector, z.array(selector)])
          .optional()
          .describe('the node (or one of the nodes) whose address is the BGP next hop'),
        originator: selector.optional().describe('reflected: the node that originated it (ORIGINATOR_ID)'),
        cluster_list: z.array(anyAddress).optional().describe('reflected: exactly these cluster ids'),
        community: z
          .union([community, z.array(community).min(1)])
          .optional()
          .describe('the route carries this community (or all of these), of any kind'),
        no_community: z
          .union([community, z.array(community).min(1)])
          .optional()
          .describe('the route carries none of these communities (stripped, or never set)'),
        local_pref: u32.optional().describe('LOCAL_PREF of the best path (100 when the router shows none)'),
        med: u32.optional().describe('MED of the best path'),
        as_path: z
          .array(z.number().int().min(1).max(4294967295))
          .describe('the AS path of the best path, exactly ([] for a route of our own AS)')
          .optional(),
      })
      .strict()
      .optional()
      .describe(
        'birdc show route PREFIX all / vtysh show bgp PREFIX json: the best route and its attributes',
      ),
    ospf_full: z
      .object({ daemon: z.enum(['bird', 'frr']), peers: z.union([selector, z.array(selector)]) })
      .strict()
      .optional()
      .describe('birdc show ospf neighbors / vtysh show ip ospf neighbor json: every peer adjacent (Full)'),
    bfd_up: z
      .object({ daemon: z.enum(['bird', 'frr']), peers: z.union([selector, z.array(selector)]) })
      .strict()
      .optional()
      .describe('birdc show bfd sessions / vtysh show bfd peers json: a BFD session Up with every peer'),
    routes: z
      .object({
        of: z.union([selector, z.array(selector)]).describe('the nodes whose prefixes must be routed'),
        via: z
          .union([selector, z.array(selector)])
          .describe('every route has one next hop per node of these'),
      })
      .strict()
      .optional()
      .describe(
        "ip route show: every prefix each node of `of` announces (its loopback, its originate list) but the checking node's own, with one next hop per node of `via`: a whole fabric's routes judged from one read",
      ),
    nexthops: z
      .object({ via: z.union([selector, z.array(selector)]) })
      .strict()
      .optional()
      .describe('ip route show: one next hop per node of the selection'),
    blocks: z
      .object({ of: z.union([selector, z.array(selector)]) })
      .strict()
      .optional()
      .describe(
        'every pod block the selected nodes hold is listed with its node as next hop (gobgp global rib, ip route)',
      ),
    distinct: z
      .object({
        min: z.union([count, z.literal('all')]),
        of: z
          .union([selector, z.array(selector)])
          .optional()
          .describe('with min: all, the nodes that must each answer (every backend)'),
      })
      .strict()
      .refine((d) => d.min !== 'all' || d.of !== undefined, {
        message: 'min: all needs of: the nodes that must each answer',
      })
      .optional()
      .describe(
        'over the repeats, at least min distinct answers; min: all with of: every one of those nodes',
      ),
    answers: z
      .object({ from: z.array(z.string()).min(1), tries: count })
      .strict()
      .optional()
      .describe(
        'exactly `tries` answers (one per output line), every one in `from`, every member of `from` seen',
      ),
  })
  .strict()
  .refine((e) => Object.values(e).filter((v) => v !== undefined).length === 1, {
    message:
      'give exactly one of match, contains, lines, bgp_established, bgp_route, ospf_full, bfd_up, routes, nexthops, blocks, distinct, answers',
  })
  .describe('how the output is judged: exactly one key');

const check = z
  .object({
    name,
    description: z.string().optional(),
    node: name.describe('the node the command runs on; a node group or a cluster: one check per member'),
    run: z.string().describe('the command, run by the node shell'),
    repeat: z
      .object({
        count: count,
        var: z
          .string()
          .regex(/^[a-z_]+$/)
          .optional(),
        start: z.number().int().default(1),
      })
      .strict()
      .optional()
      .describe('run the command count times (with ${var} = start, start+1, ... when var is given)'),
    expect: expectation,
    wait: token('a wait name').default('default').describe('the named wait (seconds in waits:)'),
  })
  .strict();

const workload = z
  .object({
    name: name.describe('the pod or container name; its network namespace inside the node'),
    node: name.describe('the node it lands on (a calico-node or a cilium-agent)'),
    serve: z.string().optional().describe('answer HTTP on port 80 with this text'),
    labels: z
      .record(z.string(), z.string())
      .default({})
      .describe("the pod's labels, which Services select (Cilium nodes)"),
  })
  .strict();

const requirement = z
  .object({
    cpus: z.number().int().positive(),
    memory_mb: z.number().int().positive(),
    disk_mb: z.number().int().positive(),
  })
  .strict();

// a failure or its repair, as data: what nightly runs and `lab step` shows, without a script
const linkRef = z
  .object({ node: name, network: name.describe("one of the node's networks: its interface there") })
  .strict();
const daemonRef = z
  .object({
    node: name,
    daemon: name.describe("a daemon the node's roles start: bird, bgpd, zebra, bfdd, ospfd, gobgpd, ..."),
  })
  .strict();
const stepAction = z
  .union([
    z.object({ link_down: linkRef }).strict(),
    z.object({ link_up: linkRef }).strict(),
    z.object({ stop: daemonRef }).strict(),
    z.object({ start: daemonRef }).strict(),
    z.object({ isolate: name.describe('every lab interface of this node down (management stays)') }).strict(),
    z
      .object({
        restore: name.describe('every lab interface of this node up again, addresses and routes back'),
      })
      .strict(),
  ])
  .describe('link_down/link_up: { node, network }, stop/start: { node, daemon }, isolate/restore: node');

const step = z
  .object({
    name: name.describe('the step, as `lab step` and `lab up --to` name it'),
    description: z.string().describe('what the attendee is about to do and why, shown by `lab steps`'),
    roles: z
      .record(selector, z.array(token('a role')))
      .default({})
      .describe('the roles this step brings up, by node, group or cluster: { worker: [metallb-speaker] }'),
    script: z
      .string()
      .optional()
      .describe("a zx script in the lab's folder (steps/NAME.mjs), run with a $ bound to each node"),
    actions: z
      .array(stepAction)
      .default([])
      .describe('failures and repairs the step makes, in order, after its roles start and before its script'),
    timeout: z
      .number()
      .positive()
      .max(3600)
      .optional()
      .describe(
        'seconds its script may run (default 300): past them it is stopped and the step fails (exit 4), naming it',
      ),
    checks: z.array(name).default([]).describe('the checks, by name, that prove the step'),
    breaks: z
      .array(name)
      .default([])
      .describe(
        'an optional step only: the checks, by name, it makes fail on purpose (a trap): `lab step` shows each failing, and fails if one still passes',
      ),
    optional: z
      .boolean()
      .default(false)
      .describe('run only when named (`lab step LAB NAME`): a trap a workshop shows on purpose'),
  })
  .strict();

/** Each add-on's configuration under clusters.<name>.addons, by its key: addons/index.ts declares it. */
// biome-ignore lint/suspicious/noEmptyInterface: filled by declaration merging, one key per add-on
export interface AddonSettings {}

/** What the plug-ins add to the schema: the add-ons' part, and the providers a lab may name (the first is the default). */
export interface SchemaParts {
  addons: z.ZodType<AddonSettings, unknown>;
  providers: readonly [string, ...string[]];
}

type Requirements = Record<string, z.ZodOptional<typeof requirement>>;

/** The lab file's schema with the plug-ins' parts in place. */
export function labSchemaOf(parts: SchemaParts) {
  const cluster = z
    .object({
      kind: z.enum(['kubernetes', 'dcos']),
      id: count.optional(),
      as: asn.optional(),
      members: z.array(selector).min(1),
      control_plane: selector.optional(),
      pod_subnet: prefix.optional(),
      service_subnet: prefix.optional(),
      fabric_subnet: prefix.optional(),
      kubernetes_version: version.optional(),
      addons: parts.addons,
    })
    .strict();
  const lab = z
    .object({
      $schema: z.string().optional(),
      name,
      description: z.string(),
      provider: z.enum(parts.providers).default(parts.providers[0]),
      params: z.record(z.string(), param).default({}),
      management: z.object({ prefix: prefix.optional() }).strict().default({}),
      loopbacks: z
        .object({
          ipv4: prefix.optional().describe('pool: routing nodes without a loopback take the next address'),
          ipv6: prefix6.optional(),
        })
        .strict()
        .default({})
        .describe('loopback pools, as netlab has: every node with bgp or ospf and no loopback: takes one'),
      networks: z.record(z.string(), network).default({}),
      links: z
        .record(z.string(), link)
        .default({})
        .describe(
          'point-to-point links (a /31 each, from a pool) between nodes or groups, without a shared network',
        ),
      nodes: z.record(z.string(), node),
      clusters: z.record(z.string(), cluster).default({}),
      checks: z.array(check).default([]),
      waits: z
        .record(z.string(), z.number().positive().max(3600))
        .default({})
        .describe(
          "named waits, in seconds (at most an hour, as a step's timeout): how long a check naming one retries",
        ),
      steps: z
        .array(step)
        .default([])
        .describe(
          "the tutorial's steps in order: `lab step` runs the next one, `lab up --to NAME` rebuilds to it",
        ),
      workloads: z
        .array(workload)
        .default([])
        .describe("the demo's pods and containers, created in this order"),
      requirements: z
        .object(Object.fromEntries(parts.providers.map((p) => [p, requirement.optional()])) as Requirements)
        .strict()
        .default({}),
    })
    .strict();
  return { lab, cluster };
}

export type RawLab = z.infer<ReturnType<typeof labSchemaOf>['lab']>;
export type RawStep = z.infer<typeof step>;
export type RawCluster = z.infer<ReturnType<typeof labSchemaOf>['cluster']>;
export type Expectation = z.infer<typeof expectation>;
export type Filter = z.infer<typeof filter>;
// the daemons state the filter's type themselves (they take nothing from core): the two must agree
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const filterAgrees: Same<Filter, DaemonFilter> = true;
void filterAgrees;
export type RawNeighbor = z.infer<typeof neighbor>;
export type RawLink = z.infer<typeof link>;
export type RawOspf = z.infer<typeof ospf>;
