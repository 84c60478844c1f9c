// The registry of providers: one line each, loaded on use (lab down and gc stay light). An unknown
// one fails with the list of known ones.

import type { Provider } from '../contracts/provider.js';
import { DefinitionError } from '../errors.js';

const PROVIDERS: Record<string, () => Promise<Provider>> = {
  netns: async () => (await import('./netns/index.js')).netnsProvider,
  vagrant: async () => (await import('./vagrant/index.js')).vagrantProvider,
  'vagrant-host': async () => (await import('./vagrant/index.js')).vagrantHostProvider,
};

export const PROVIDER_NAMES = Object.keys(PROVIDERS);

export async function providerOf(name: string): Promise<Provider> {
  const load = PROVIDERS[name];
  if (!load) {
    throw new DefinitionError(`no provider '${name}' (known: ${PROVIDER_NAMES.join(', ')})`);
  }
  return load();
}

/** Every provider, for what spans them all (gc). */
export function allProviders(): Promise<Provider[]> {
  return Promise.all(Object.values(PROVIDERS).map((load) => load()));
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
