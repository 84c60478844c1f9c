// The root namespace's routes: what a lab's management prefix must not collide with.
import { mustRun } from './command.js';

/** Prefixes routed in the root namespace, except the default route and the links in `ignoreLinks`. */
export async function hostRoutes(ignoreLinks: string[] = []): Promise<string[]> {
  const { stdout } = await mustRun('ip', ['-j', '-4', 'route', 'show', 'table', 'main']);
  const routes = JSON.parse(stdout || '[]') as { dst: string; dev?: string }[];
  return routes
    .filter((r) => r.dst !== 'default' && !ignoreLinks.includes(r.dev ?? ''))
    .map((r) => (r.dst.includes('/') ? r.dst : `${r.dst}/32`));
}
