// The one nunjucks environment: no autoescape, undefined is an error, Jinja2 idioms work.
import { existsSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import nunjucks from 'nunjucks';
import { birdChannelFilter } from '../daemons/bird.js';
import { PROJECT_DIR } from '../paths.js';
import type { Filter } from './schema.js';

export const TEMPLATES_DIR = join(PROJECT_DIR, 'templates');
/** The templates compiled to JavaScript by npm run build (build/templates.ts), each with its source's
 * size and mtime: compiling them was most of what rendering a lab cost, at every lab up. */
export const COMPILED_TEMPLATES = join(PROJECT_DIR, 'dist', 'templates.cjs');

export interface CompiledTemplates {
  templates: Record<string, unknown>;
  sources: Record<string, [size: number, mtimeMs: number]>;
}

/** The compiled templates whose source is as it was at the build; an edited one compiles from source. */
function compiledTemplates(): Record<string, unknown> {
  if (!existsSync(COMPILED_TEMPLATES)) return {};
  const { templates, sources } = createRequire(COMPILED_TEMPLATES)(COMPILED_TEMPLATES) as CompiledTemplates;
  const fresh: Record<string, unknown> = {};
  for (const [name, [size, mtimeMs]] of Object.entries(sources)) {
    const now = statSync(join(TEMPLATES_DIR, name), { throwIfNoEntry: false });
    if (now?.size === size && now.mtimeMs === mtimeMs) fresh[name] = templates[name];
  }
  return fresh;
}

/** A BIRD IPv4 channel filter from the lab's all | none | [prefixes] | { prefixes, communities }. */
export function birdFilter(filter: Filter | undefined): string {
  return birdChannelFilter(filter, 'ipv4');
}

let env: nunjucks.Environment | undefined;

export function templates(opts: { compiled?: boolean } = {}): nunjucks.Environment {
  if (env) return env;
  const compiled = opts.compiled === false ? {} : compiledTemplates();
  const loaders = [
    new nunjucks.PrecompiledLoader(compiled as unknown as unknown[]),
    new nunjucks.FileSystemLoader(TEMPLATES_DIR),
  ];
  env = new nunjucks.Environment(loaders, {
    autoescape: false,
    throwOnUndefined: true,
    trimBlocks: true,
    lstripBlocks: true,
  });
  env.addFilter('bird_filter', birdFilter);
  // Jinja2's int filter errors on nothing; nunjucks' too, but keep `| int` on strings from --set
  env.addFilter('int', (v: unknown) => Number.parseInt(String(v), 10));
  return env;
}

/** Renders templates/<name> with the context; throws naming the template on any error. */
export function renderTemplate(name: string, context: object): string {
  try {
    return templates().render(name, context);
  } catch (cause) {
    throw new Error(`template ${name}: ${(cause as Error).message}`, { cause });
  }
}

/** Renders a template string of this project (tests) in the same environment. Never a lab file's
 * text: nunjucks reaches JavaScript from a template (`range.constructor`); a lab's templates go through
 * core/lab-template.ts. */
export function renderString(source: string, context: object): string {
  return templates().renderString(source, context);
}

/** What every template may read: the lab's name (for the header comment). */
export function header(lab: { name: string }): { lab: { name: string } } {
  return { lab: { name: lab.name } };
}
