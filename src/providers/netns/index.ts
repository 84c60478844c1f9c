// The netns provider: every node a network namespace with its own hostname, /run, /root and /etc,
// wired by bridges in a switch namespace, reachable over SSH on a management network.
// What only `up` needs (preflight, node files and their templates) loads on use: down and gc stay light.
import type { JournalWriter, Provider, ProviderContext } from '../../contracts/provider.js';
import { generateHostKeyPair, generateKeyPair } from '../../transport/keys.js';
import type { SshTarget } from '../../transport/ssh.js';
import { Booter } from './boot.js';
import { DEFAULT_CPUS, DEFAULT_DISK_MB, DEFAULT_MEMORY_MB, type NodeCgroup } from './cgroups.js';
import { allocateManagementPrefix, managementAddresses } from './management.js';
import { namesOf } from './names.js';
import { createNetwork } from './network.js';
import { absentNodes, findInstance, findOrphans, linkProblems, removeOrphans } from './orphans.js';
import { destroyResources } from './teardown.js';
import { usernsFile } from './userns.js';

const wiring = (ctx: ProviderContext) => ({
  lab: ctx.lab,
  nodeFolders: { dir: ctx.dir, sizeMb: foldersMbOf(ctx.lab) },
  names: namesOf(ctx.lab, ctx.instance),
  management: {
    prefix: ctx.managementPrefix,
    ...managementAddresses(ctx.managementPrefix, ctx.lab.nodes.length),
  },
});

const diskMbOf = (lab: ProviderContext['lab']) => lab.requirements.netns?.disk_mb ?? DEFAULT_DISK_MB;
/** A node's folders (node-files.ts): its lab's stated disk, at least 192 MB (etcd preallocates two
 * 64 MB log segments), at most half its memory limit, which counts them too: a node filling them meets
 * a full disk before the OOM killer. */
const foldersMbOf = (lab: ProviderContext['lab']) =>
  Math.min(
    Math.max(diskMbOf(lab), 192),
    Math.floor((lab.requirements.netns?.memory_mb ?? DEFAULT_MEMORY_MB) / 2),
  );

// one booter per run: nodes asked for together boot together
const booters = new WeakMap<JournalWriter, Booter>();
// each node namespace's id range, as createNetwork took it
const idRanges = new WeakMap<JournalWriter, Map<string, number>>();
function idBaseOf(journal: JournalWriter, netns: string): number {
  const known = idRanges.get(journal)?.get(netns);
  if (known) return known;
  throw new Error(`${netns}: no user id range recorded for the node`);
}
// each node's host key, made with its files while the network is created
// each node's interfaces as ip -batch lines, run by its holder
const nodeWirings = new WeakMap<JournalWriter, Map<string, string[]>>();
const hostKeys = new WeakMap<JournalWriter, Map<string, { privateKey: string; publicKey: string }>>();

const cgroupOf = (ctx: ProviderContext, netns: string): NodeCgroup => ({
  instance: namesOf(ctx.lab, ctx.instance).switchNs,
  node: netns,
  memoryMb: ctx.lab.requirements.netns?.memory_mb ?? DEFAULT_MEMORY_MB,
  cpus: ctx.lab.requirements.netns?.cpus ?? DEFAULT_CPUS,
});

export const netnsProvider: Provider = {
  name: 'netns',
  // each instance its own namespaces, management prefix and sandboxed id ranges
  sideBySide: true,

  async verifyHost(lab) {
    (await import('./preflight.js')).verifyHost(lab);
  },

  allocateManagement: (lab, instance, taken) => ({
    prefix: lab.managementPrefix ?? allocateManagementPrefix(`${lab.name}/${instance}`, taken),
    link: namesOf(lab, instance).rootLink,
  }),

  async createNetwork(ctx) {
    const w = wiring(ctx);
    // loaded while the shell starts: only up writes nodes' files
    const nodeFiles = import('./node-files.js');
    const keys = new Map<string, { privateKey: string; publicKey: string }>();
    hostKeys.set(ctx.journal, keys);
    const { ranges, nodeWiring } = await createNetwork(w, ctx.journal, {
      signal: ctx.signal,
      cgroups: ctx.lab.nodes.map((n) => cgroupOf(ctx, w.names.nodeNs(n.name))),
      // each node's own files, written while the shell makes the namespaces and links
      prepare: async (ranges) => {
        const { nodeDirs, writeNodeBase } = await nodeFiles;
        ctx.lab.nodes.forEach((node, i) => {
          const hostKey = generateHostKeyPair(`host-${node.name}`);
          keys.set(node.name, hostKey);
          writeNodeBase({
            lab: ctx.lab,
            node,
            dirs: nodeDirs(ctx.dir, node.name),
            managementAddress: w.management.nodes[i],
            hostKey,
            ed25519HostKey: generateKeyPair(`host-${node.name}`),
            authorizedKey: ctx.userKey.publicKey,
            idBase: ranges.get(w.names.nodeNs(node.name))!,
          });
        });
      },
    });
    idRanges.set(ctx.journal, ranges);
    nodeWirings.set(ctx.journal, nodeWiring);
    return { addresses: w.management.nodes };
  },

  async bootNode(ctx, name, startScript, runDirs = []) {
    const { nodeDirs, START_SCRIPT, writeNodeRoles } = await import('./node-files.js');
    const w = wiring(ctx);
    const index = ctx.lab.nodes.findIndex((n) => n.name === name);
    const address = w.management.nodes[index];
    const hostKey = hostKeys.get(ctx.journal)?.get(name);
    if (!hostKey) throw new Error(`${name}: the node's files were not written with the network`);
    const dirs = nodeDirs(ctx.dir, name);
    const netns = w.names.nodeNs(name);
    const idBase = idBaseOf(ctx.journal, netns);
    writeNodeRoles({
      idBase,
      node: ctx.lab.nodes[index],
      dirs,
      files: ctx.files.filter((f) => f.node === name),
      startScript,
      runDirs,
    });
    if (!booters.has(ctx.journal))
      booters.set(ctx.journal, new Booter(ctx.journal, ctx.lab.nodes.length, ctx.signal));
    const booted = await booters.get(ctx.journal)!.boot({
      node: name,
      order: index,
      netns,
      userns: usernsFile(netns),
      idBase,
      wiring: nodeWirings.get(ctx.journal)?.get(netns) ?? [],
      diskMb: diskMbOf(ctx.lab),
      cgroup: cgroupOf(ctx, netns),
      dirs,
      startScript,
      scriptFile: START_SCRIPT,
      hidden: ctx.hidden ?? [],
    });
    const target: SshTarget = {
      node: name,
      host: address,
      privateKey: ctx.userKey.privateKey,
      hostKey: hostKey.publicKey,
    };
    return { target, started: booted.started };
  },

  destroy: destroyResources,
  findOrphans,
  removeOrphans,
  findInstance,
  absentNodes,
  linkProblems,
};
