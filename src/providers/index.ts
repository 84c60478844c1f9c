// The registry of providers: an unknown one fails with the list of known ones.
import { DefinitionError } from '../errors.js';
import { netnsProvider } from './netns/index.js';
import type { Provider } from './provider.js';

const PROVIDERS: Record<string, Provider> = { netns: netnsProvider };

export function providerOf(name: string): Provider {
  const p = PROVIDERS[name];
  if (!p) {
    throw new DefinitionError(
      `provider '${name}' cannot run labs on this host yet; known: ${Object.keys(PROVIDERS).join(', ')} (lab render shows the configuration for the others)`,
    );
  }
  return p;
}
