// The netns provider: every node a network namespace with its own hostname, /run, /root and /etc,
// wired by bridges in a switch namespace, reachable over SSH on a management network.
import type { Journal } from '../../engine/journal.js';
import type { Lab } from '../../model/lab.js';
import { generateKeyPair, type SshTarget } from '../../transport/ssh.js';
import type { Provider, ProviderContext } from '../provider.js';
import { bootNode } from './boot.js';
import { managementAddresses } from './management.js';
import { namesOf } from './names.js';
import { createNetwork } from './network.js';
import { nodeDirs, writeNodeFiles } from './node-files.js';
import { NamespaceShell } from './node-shell.js';
import { verifyHost } from './preflight.js';
import { destroyResources } from './teardown.js';

const wiring = (ctx: ProviderContext) => ({
  lab: ctx.lab,
  names: namesOf(ctx.lab, ctx.instance),
  management: {
    prefix: ctx.managementPrefix,
    ...managementAddresses(ctx.managementPrefix, ctx.lab.nodes.length),
  },
});

export const netnsProvider: Provider = {
  name: 'netns',
  verifyHost,
  rootLink: (lab: Lab, instance: string) => namesOf(lab, instance).rootLink,
  createNetwork: (ctx) => createNetwork(wiring(ctx), ctx.journal),

  async bootNode(ctx, name) {
    const w = wiring(ctx);
    const index = ctx.lab.nodes.findIndex((n) => n.name === name);
    const node = ctx.lab.nodes[index];
    const address = w.management.nodes[index];
    const hostKey = generateKeyPair(`host-${name}`);
    const dirs = nodeDirs(ctx.dir, name);
    writeNodeFiles({
      lab: ctx.lab,
      node,
      dirs,
      managementAddress: address,
      hostKey,
      authorizedKey: ctx.userKey.publicKey,
      files: ctx.files.filter((f) => f.node === name),
    });
    const { holderPid } = await bootNode(name, w.names.nodeNs(name), dirs, ctx.journal);
    const target: SshTarget = {
      node: name,
      host: address,
      privateKey: ctx.userKey.privateKey,
      hostKey: hostKey.publicKey,
    };
    return { target, shell: new NamespaceShell(name, holderPid) };
  },

  destroy: (journal: Journal) => destroyResources(journal.resources()),
};
