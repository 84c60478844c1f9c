// The registry of providers: one line each, loaded on use (lab down and gc stay light; the lab file's
// schema reads the names a lab file may say from here). An unknown one fails with the list of known ones.

import type { RunsOn } from '../contracts/lint.js';
import type { Provider } from '../contracts/provider.js';
import { DefinitionError } from '../errors.js';

/** A provider's line: how it loads, whether a lab file's `provider:` may name it (vagrant-host is chosen
 * on the command line only; the first a lab file may name is the default), and whether its nodes are
 * namespaces of this host's kernel (lint holds the lab to that kernel: RunsOn), and what --provider's
 * help says of it beside its name. */
interface Line {
  load: () => Promise<Provider>;
  inLabFile: boolean;
  hostKernel?: boolean;
  about?: string;
}

const vagrant = () => import('./vagrant/index.js');
const PROVIDERS: Record<string, Line> = {
  netns: {
    inLabFile: true,
    hostKernel: true,
    load: async () => (await import('./netns/index.js')).netnsProvider,
  },
  vagrant: { inLabFile: true, about: 'a VM per node', load: async () => (await vagrant()).vagrantProvider },
  'vagrant-host': {
    inLabFile: false,
    about: 'one VM carrying the emulated lab',
    load: async () => (await vagrant()).vagrantHostProvider,
  },
};

export const PROVIDER_NAMES = Object.keys(PROVIDERS);

/** The providers as --provider's help says them: netns, vagrant (a VM per node) or vagrant-host (...). */
export function providersInWords(): string {
  const said = PROVIDER_NAMES.map((p) => (PROVIDERS[p].about ? `${p} (${PROVIDERS[p].about})` : p));
  return said.length > 1 ? `${said.slice(0, -1).join(', ')} or ${said.at(-1)}` : said.join('');
}

/** What a lab file's `provider:` may say (model/lab-schema.ts), the default first. */
export const LAB_FILE_PROVIDERS = PROVIDER_NAMES.filter((p) => PROVIDERS[p].inLabFile) as [
  string,
  ...string[],
];

/** The provider of a lab file that names none, and of an instance whose record lost its provider. */
export const DEFAULT_PROVIDER: string = LAB_FILE_PROVIDERS[0];

/** Where a lab on this provider runs, for lint; an unknown provider (refused by the schema) on nothing known. */
export const runsOn = (provider: string): RunsOn => ({
  hostKernel: PROVIDERS[provider]?.hostKernel === true,
});

export async function providerOf(name: string): Promise<Provider> {
  const load = PROVIDERS[name]?.load;
  if (!load) {
    throw new DefinitionError(`no provider '${name}' (known: ${PROVIDER_NAMES.join(', ')})`);
  }
  return load();
}

/** Every provider, for what spans them all (gc). */
export function allProviders(): Promise<Provider[]> {
  return Promise.all(Object.values(PROVIDERS).map((p) => p.load()));
}

/** lab vm box build: the vagrant providers' own box, built on this host (loaded on use). */
export async function buildVmBox(
  opts: Parameters<typeof import('./vagrant/box/box.js').buildBox>[0],
): ReturnType<typeof import('./vagrant/box/box.js').buildBox> {
  return (await import('./vagrant/box/box.js')).buildBox(opts);
}

/** lab vm box prune: lab's boxes of other keys, removed (loaded on use). */
export async function pruneVmBoxes(
  opts: Parameters<typeof import('./vagrant/box/box.js').pruneOldBoxes>[0],
): ReturnType<typeof import('./vagrant/box/box.js').pruneOldBoxes> {
  return (await import('./vagrant/box/box.js')).pruneOldBoxes(opts);
}
