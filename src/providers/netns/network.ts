// The lab's wiring: a switch namespace with one bridge per network (and management), nodes on veths.
// Built with a handful of `ip -batch` runs rather than hundreds of `ip` processes.

import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { JournalWriter } from '../../contracts/provider.js';
import { interfaceMac } from '../../core/addressing.js';
import type { Lab } from '../../core/lab.js';
import { loopbackCidr, networkByName } from '../../core/lab.js';
import { InterruptedError } from '../../errors.js';
import { runCommand } from '../../host/command.js';
import { startTimeOf } from '../../host/processes.js';
import { staticRoutes } from '../../net/static-routes.js';
import { shellQuote } from '../../shell-quote.js';
import { cgroupSetupScript, type NodeCgroup } from './cgroups.js';
import { fstabLine } from './fstab.js';
import { MANAGEMENT_GUARD } from './guard.js';
import type { Names } from './names.js';
import { allocateIdRanges, createNamespacesScript, releaseIdRanges, USERNS_DIR } from './userns.js';

/** What the setup shell says once the nodes' folders are mounted. */
const FOLDERS_MOUNTED = 'lab-folders-mounted';

export interface Wiring {
  lab: Lab;
  /** Each node's folders (node-files.ts: DIR/nodes/NODE), a tmpfs of this size: whatever a node writes
   * has a bound. */
  nodeFolders: { dir: string; sizeMb: number };
  names: Names;
  management: { prefix: string; host: string; nodes: string[]; length: number };
}

/** Shell lines running one `ip -batch` per namespace side by side; a failure says "failed in NS". In the
 * namespace by nsenter, not `ip -n`: ip -n also makes itself a mount namespace (a copy of the host's
 * mount table, every mount made a slave, /sys remounted), and with a thousand nodes' mounts on the host,
 * a thousand such copies at once held the kernel's mount lock for minutes (ps: ip in copy_mnt_ns and
 * do_lock_mount). Links, addresses and routes need only the network namespace. */
function perNamespaceScript(batches: { ns: string; lines: string[] }[]): string[] {
  return [
    ...batches.map(
      (b, i) =>
        `printf %s ${shellQuote(`${b.lines.join('\n')}\n`)} | nsenter --net=${shellQuote(`/run/netns/${b.ns}`)} ip -batch - || echo "failed in ${b.ns}" >&2 &\np${i}=$!`,
    ),
    ...batches.map((_, i) => `wait $p${i}`),
  ];
}

/** The `ip` lines of an instance's wiring: the root namespace's, then side by side the switch's and
 * the point-to-point links' (from their first ends), then each node's. No link the lab names is made
 * from the root namespace: kernels before 6.14 (Debian 12's 6.1) look the name of a new link up in
 * the namespace that asks, so a node's eth0 failed with "File exists" beside the host's own eth0. A
 * node's interface on a bridge is its switch port's peer; a link between nodes is made in its first
 * node's namespace, the other end its peer. */
export function wiringBatches(w: Pick<Wiring, 'lab' | 'names' | 'management'>): {
  root: string[];
  switchNs: string[];
  links: { ns: string; lines: string[] }[];
  nodes: { ns: string; lines: string[] }[];
} {
  const { lab, names, management: m } = w;
  const root = [
    `link add ${names.rootLink} type veth peer name uplink netns ${names.switchNs}`,
    `addr add ${m.host}/${m.length} dev ${names.rootLink}`,
    `link set ${names.rootLink} up`,
  ];

  // a point-to-point link is one veth from node to node; no bridge, no port
  const isLink = (network: string) => networkByName(lab, network)?.link !== undefined;
  const ends = new Map<string, { ns: string; name: string; mac: string }[]>();
  for (const [i, node] of lab.nodes.entries())
    for (const [j, ifc] of node.interfaces.entries())
      if (isLink(ifc.network))
        ends.set(ifc.network, [
          ...(ends.get(ifc.network) ?? []),
          { ns: names.nodeNs(node.name), name: ifc.name, mac: interfaceMac(i, j) },
        ]);
  const linkLines = new Map<string, string[]>();
  for (const [a, b] of ends.values()) {
    const peer = b ? ` peer name ${b.name} address ${b.mac} netns ${b.ns}` : '';
    linkLines.set(a.ns, [
      ...(linkLines.get(a.ns) ?? []),
      `link add name ${a.name} address ${a.mac} type veth${peer}`,
    ]);
  }
  const links = [...linkLines].map(([ns, lines]) => ({ ns, lines }));

  const mtuOf = (network: string) => networkByName(lab, network)?.mtu ?? 1500;
  const bridged = lab.networks.filter((n) => !n.link);
  const switchNs = [
    'link add mgmt type bridge forward_delay 0 stp_state 0',
    ...bridged.map(
      // `name` and `dev`: a network called a or mtu is a link name, not a keyword of ip
      (n) => `link add name ${names.bridge(n.name)} mtu ${n.mtu} type bridge forward_delay 0 stp_state 0`,
    ),
    'link set uplink master mgmt up',
    ...lab.nodes.flatMap((node, i) => {
      const onBridge = [...node.interfaces.entries()].filter(([, ifc]) => !isLink(ifc.network));
      return [
        ...onBridge.map(
          ([j, ifc]) =>
            `link add name ${names.port(i, j)} type veth peer name ${ifc.name} address ${interfaceMac(i, j)} netns ${names.nodeNs(node.name)}`,
        ),
        `link add name ${names.port(i, 'm')} type veth peer name mgmt0 netns ${names.nodeNs(node.name)}`,
        ...onBridge.map(
          ([j, ifc]) =>
            `link set dev ${names.port(i, j)} mtu ${mtuOf(ifc.network)} master ${names.bridge(ifc.network)} up`,
        ),
        `link set ${names.port(i, 'm')} master mgmt up`,
      ];
    }),
    'link set mgmt up',
    ...bridged.map((n) => `link set dev ${names.bridge(n.name)} up`),
  ];
  const nodes = lab.nodes.map((node, i) => ({
    ns: names.nodeNs(node.name),
    lines: [
      'link set lo up',
      ...node.interfaces.flatMap((ifc) => [
        ...(ifc.cidr ? [`addr add ${ifc.cidr} dev ${ifc.name}`] : []),
        // nodad: the address is usable at once (no duplicate detection on a lab bridge)
        ...(ifc.cidr6 ? [`addr add ${ifc.cidr6} dev ${ifc.name} nodad`] : []),
        `link set dev ${ifc.name} mtu ${mtuOf(ifc.network)} up`,
      ]),
      // /32 and /128 unless the lab gives a length (the kernel then makes the whole prefix local)
      ...(['ipv4', 'ipv6'] as const).flatMap((f) => {
        const cidr = node.loopback && loopbackCidr(node.loopback, f);
        return cidr ? [`addr add ${cidr} dev lo`] : [];
      }),
      `addr add ${m.nodes[i]}/${m.length} dev mgmt0`,
      'link set mgmt0 up',
      // static routes, as the VM's network config would set them (netplan-routes applies its own when it starts)
      ...(node.roles.includes('netplan-routes') ? [] : staticRoutes(node.routes)),
    ],
  }));
  return { root, switchNs, links, nodes };
}

/** Records every namespace and root link in the journal, then creates them; says each node namespace's
 * id range, and the `ip -batch` lines each node's holder runs in its namespace (boot.ts). One shell does it all: the nodes' folders first, so that `prepare` (their files, written
 * from here) runs while the shell goes on with the namespaces, the nodes' cgroups and the links. */
export async function createNetwork(
  w: Wiring,
  journal: JournalWriter,
  opts: {
    cgroups: NodeCgroup[];
    prepare: (ranges: Map<string, number>) => Promise<void>;
    /** Ctrl-C: the shell's whole group is ended where it is (its journal entry says what to remove). */
    signal?: AbortSignal;
  },
): Promise<{ ranges: Map<string, number>; nodeWiring: Map<string, string[]> }> {
  const { lab, names } = w;
  const nodeNamespaces = lab.nodes.map((n) => names.nodeNs(n.name));
  // each node's id range is taken before anything is made, and recorded with its namespace
  const ranges = allocateIdRanges(nodeNamespaces);
  try {
    journal.record({ kind: 'netns', id: `netns:${names.switchNs}`, name: names.switchNs });
    for (const ns of nodeNamespaces)
      journal.record({ kind: 'netns', id: `netns:${ns}`, name: ns, idBase: ranges.get(ns) });
  } catch (e) {
    // a journal not written (its disk full): no teardown would find these ranges, gc only after a while
    releaseIdRanges(nodeNamespaces);
    throw e;
  }
  journal.record({ kind: 'link', id: `link:${names.rootLink}`, name: names.rootLink });
  const folders = lab.nodes.map((n) => join(w.nodeFolders.dir, 'nodes', n.name));
  for (const path of folders) journal.record({ kind: 'mount', id: `mount:${path}`, path });
  const b = wiringBatches(w);
  // folders made here, not by mkdir processes; the scratch fstabs removed here too
  for (const path of [...folders, USERNS_DIR]) mkdirSync(path, { recursive: true });
  const foldersFstab = join(w.nodeFolders.dir, 'folders.fstab');
  const namespacesFstab = join(w.nodeFolders.dir, 'namespaces.fstab');
  writeFileSync(
    foldersFstab,
    folders
      .map((path) => `${fstabLine(['lab-node', path, 'tmpfs', `mode=755,size=${w.nodeFolders.sizeMb}m`])}\n`)
      .join(''),
  );

  // The switch's namespace is the host's; each node's is made inside the node's own user namespace
  // (userns.ts), which then owns it. `ip netns add` first: it sets /run/netns up as ip expects. A
  // process group of its own, recorded while it runs: a run killed meanwhile leaves it making
  // namespaces and mounts, and teardown (lab gc) ends the whole group first
  const setup = { kind: 'process', id: 'process:network:setup', name: 'setup' } as const;
  journal.record(setup);
  let prepared: Promise<unknown> | undefined;
  let said = '';
  const cgroups = cgroupSetupScript(opts.cgroups);
  const made = await runCommand('/bin/sh', ['-s'], {
    group: (pid) => journal.update({ id: setup.id, pid, starttime: startTimeOf(pid) }),
    signal: opts.signal,
    onStdout: (chunk) => {
      said += chunk;
      if (!prepared && said.includes(FOLDERS_MOUNTED)) prepared = opts.prepare(ranges).catch((e: Error) => e);
    },
    input: [
      // beside the rest: the nodes' folders (their files are written once they are mounted) and cgroups
      `{ mount -a -T ${shellQuote(foldersFstab)} && echo ${FOLDERS_MOUNTED} || echo "failed in mounting the nodes' folders" >&2; } &`,
      ...(cgroups.length
        ? [`{ ${cgroups.join(' &&\n')}; } || echo "failed in making the nodes' cgroups" >&2 &`]
        : []),
      `ip netns add ${shellQuote(names.switchNs)} || exit 1`,
      ...createNamespacesScript(
        nodeNamespaces.map((netns) => ({ netns, base: ranges.get(netns)! })),
        namespacesFstab,
      ),
      // then the links. Host root makes them in the switch's and the nodes' namespaces (nsenter --net enters
      // the network namespace only): its capabilities hold over each node's user namespace
      `printf %s ${shellQuote(`${b.root.join('\n')}\n`)} | ip -batch - || { echo 'failed in ip -batch' >&2; exit 1; }`,
      ...perNamespaceScript([{ ns: names.switchNs, lines: b.switchNs }, ...b.links]),
      // before any node runs a thing, once the bridges exist (a bridge table made before its bridge is
      // never called for it, seen on 6.18): what a node starts towards the host stops at the switch
      // (nsenter --net, not ip netns exec: that copies the host's mount table and mounts a /sys nft needs not)
      `printf %s ${shellQuote(MANAGEMENT_GUARD)} | nsenter --net=${shellQuote(`/run/netns/${names.switchNs}`)} nft -f - || echo "failed in guarding the management network (nft)" >&2 &`,
      // every link exists (nodes' ends included) before the nodes configure theirs: each node's holder
      // does, in its namespace (boot.ts)
      'wait',
    ].join('\n'),
  });
  journal.update({ id: setup.id, removed: true });
  rmSync(foldersFstab, { force: true });
  rmSync(namespacesFstab, { force: true });
  // the nodes' files are written (or failed) before this returns: nothing of it outlives a failure
  const filesError = await prepared;
  if (opts.signal?.aborted) throw new InterruptedError('interrupted');
  if (made.exitCode !== 0 || made.stderr.includes('failed in'))
    throw new Error(`creating the namespaces failed: ${(made.stderr || made.stdout).trim()}`);
  if (filesError instanceof Error) throw filesError;
  return { ranges, nodeWiring: new Map(b.nodes.map((n) => [n.ns, n.lines])) };
}
