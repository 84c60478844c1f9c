// npm run build: every template compiled to JavaScript once (dist/templates.cjs), with its source's size
// and mtime, so that a lab up renders without compiling nunjucks (core/templates.ts loads those whose
// source is unchanged). Compiled in the lab's own environment: its options shape the output.
import { readdirSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import nunjucks from 'nunjucks';
import { COMPILED_TEMPLATES, type CompiledTemplates, TEMPLATES_DIR, templates } from '../core/templates.js';

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) =>
    d.isDirectory() ? filesUnder(join(dir, d.name)) : d.name.endsWith('.njk') ? [join(dir, d.name)] : [],
  );
}

export function compileTemplates(): number {
  const sources: CompiledTemplates['sources'] = {};
  for (const file of filesUnder(TEMPLATES_DIR)) {
    const { size, mtimeMs } = statSync(file);
    sources[relative(TEMPLATES_DIR, file)] = [size, mtimeMs];
  }
  const wrapper = (compiled: { name: string; template: string }[]) =>
    `'use strict';\n// compiled by npm run build from templates/: do not edit\nmodule.exports = {\n  templates: {\n${compiled
      .map((t) => `${JSON.stringify(t.name)}: (function () {\n${t.template}\n})(),`)
      .join('\n')}\n  },\n  sources: ${JSON.stringify(sources)},\n};\n`;
  const code = nunjucks.precompile(TEMPLATES_DIR, {
    env: templates({ compiled: false }),
    include: ['\\.njk$'],
    wrapper: wrapper as unknown as nunjucks.PrecompileOptions['wrapper'],
  });
  writeFileSync(COMPILED_TEMPLATES, code);
  return Object.keys(sources).length;
}
