// Teardown by provider name, loading only the teardown code: lab down and gc stay light.
import type { Resource } from '../engine/journal.js';

type Destroyer = (resources: Resource[]) => Promise<void>;

const DESTROYERS: Record<string, () => Promise<Destroyer>> = {
  netns: async () => (await import('./netns/teardown.js')).destroyResources,
};

export async function destroyerOf(provider: string): Promise<Destroyer> {
  const load = DESTROYERS[provider];
  if (!load)
    throw new Error(`no teardown for provider '${provider}'; known: ${Object.keys(DESTROYERS).join(', ')}`);
  return load();
}
