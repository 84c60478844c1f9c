#!/usr/bin/env node
// The lab command's entry: `lab --help` from the stored text, else the command (lab.ts), bundled by
// npm run build into dist/cli/lab.cjs. Only Node's own modules load before that.
import { existsSync, readFileSync } from 'node:fs';
import Module, { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

// a reader that goes away (| head) is not an error
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code !== 'EPIPE') throw e;
});

// `lab --help` as written by npm run build (help.txt): the same text as `lab help`, printed without
// loading the command parser, half of what --help cost beyond Node's own start. A terminal of another
// width than the stored text's 80 columns gets commander's, wrapped to fit.
const args = process.argv.slice(2);
if (
  args.length === 1 &&
  ['--help', '-h'].includes(args[0]) &&
  !(process.stdout.isTTY && process.stdout.columns !== 80)
) {
  const text = storedHelp();
  if (text !== undefined) {
    await new Promise((written) => process.stdout.write(text, written));
    process.exit(0);
  }
}

// Node 22.1 and later keep V8's compiled code of every module loaded from here on (in the system's
// temporary folder; a folder it cannot write is skipped silently): the packages outside the bundle
(Module as { enableCompileCache?: () => unknown }).enableCompileCache?.();

function storedHelp(): string | undefined {
  try {
    // beside this file: dist/cli/main.js
    return readFileSync(new URL('help.txt', import.meta.url), 'utf8');
  } catch {
    return undefined; // not built: commander's
  }
}

// CommonJS, whose files cli/code-cache.ts compiles with their code caches; tsc's output alone runs lab.js
const bundled = fileURLToPath(new URL('lab.cjs', import.meta.url));
if (existsSync(bundled)) createRequire(import.meta.url)(bundled);
else await import('./lab.js');
