// npm run build, after tsc: the templates compiled (templates.ts), and the lab command bundled into dist/cli/main.js and its lazily loaded chunks,
// so that a command loads a few files instead of some 400 (zod alone is 95): module loading was half of
// `lab lint`'s CPU. Packages with native or wasm parts, or loaded only by up and steps, stay outside.
import { spawnSync } from 'node:child_process';
import { cpSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'rolldown';
import { PROJECT_DIR } from '../paths.js';
import { BROWSER_FILES, BROWSER_SOURCES } from '../serve/browser-files.js';
import { writeCodeCaches } from './code-caches.js';
import { compileTemplates } from './templates.js';

const CLI = join(PROJECT_DIR, 'dist', 'cli');
const EXTERNAL = [/^ssh2(\/|$)/, /^zx(\/|$)/, /^listr2(\/|$)/, /^@hpcc-js\//];

compileTemplates();
rmSync(join(CLI, 'chunks'), { recursive: true, force: true });
// CommonJS, so that main.js compiles each file with its code cache (cli/code-cache.ts)
await build({
  input: { lab: join(CLI, 'lab.js') },
  platform: 'node',
  external: EXTERNAL,
  logLevel: 'warn',
  output: {
    dir: CLI,
    format: 'cjs',
    entryFileNames: '[name].cjs',
    chunkFileNames: 'chunks/[name]-[hash].cjs',
    // import() of a package outside the bundle (ssh2) as require(): an import() compiled by vm.Script
    // with a code cache finds no loader
    dynamicImportInCjs: false,
    sourcemap: false,
  },
});

// `lab --help`'s text, printed by main.js without loading commander (the same as `lab help`, which a
// unit test compares); written at commander's width for output that is not a terminal (80 columns)
rmSync(join(CLI, 'help.txt'), { force: true });
const help = spawnSync(process.execPath, [join(CLI, 'main.js'), 'help'], { encoding: 'utf8' });
if (help.status !== 0) throw new Error(`lab help failed (${help.status}): ${help.stderr}`);
writeFileSync(join(CLI, 'help.txt'), help.stdout);

writeCodeCaches();

// The step worker too: a thread that loads one file links no module graph of its own. Unbundled, its
// ~150 modules (cycles among them) failed to link now and then when many workers started side by side
// ("does not provide an export named ..."), failing a step that had not begun. zx is bundled with it
// (every step script runs it): loaded as a package, its CommonJS files went through Node's export
// scanner (a wasm lexer) in each new thread; bundled, a thread is ready with 7 MB and ~30 ms of CPU less.
const STEPS = join(PROJECT_DIR, 'dist', 'steps');
rmSync(join(STEPS, 'chunks'), { recursive: true, force: true });
await build({
  input: { 'step-worker': join(STEPS, 'step-worker.js') },
  platform: 'node',
  external: EXTERNAL.filter((e) => !e.test('zx')),
  logLevel: 'warn',
  output: { dir: STEPS, format: 'esm', chunkFileNames: 'chunks/[name]-[hash].js', sourcemap: false },
});
rmSync(join(STEPS, 'step-worker.js.map'), { force: true });

// The browser's files (plain JS and CSS, which tsc does not emit): served from dist/, which a packaged
// install has, where src/ is not
for (const file of BROWSER_SOURCES)
  cpSync(join(PROJECT_DIR, 'src', 'serve', file), join(BROWSER_FILES, file));
