// `lab render --provider P`: providers that run from a project of their own write it here.

import type { Lab } from '../core/lab.js';
import { DefinitionError } from '../errors.js';

const RENDERERS: Record<
  string,
  () => Promise<
    (
      lab: Lab,
      provider: string,
      opts: { instance: string; out: string; flag?: string; hypervisor?: string },
    ) => Promise<string[]>
  >
> = {
  vagrant: async () => (await import('./vagrant/render.js')).renderForCli,
  'vagrant-host': async () => (await import('./vagrant/render.js')).renderForCli,
};

export async function renderProviderProject(
  lab: Lab,
  provider: string,
  opts: { instance: string; out: string; flag?: string; hypervisor?: string },
): Promise<string[]> {
  const load = RENDERERS[provider];
  if (!load)
    throw new DefinitionError(
      `--provider '${provider}': known are netns, ${Object.keys(RENDERERS).join(', ')}`,
    );
  return (await load())(lab, provider, opts);
}
