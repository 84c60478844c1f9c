// The lab command once main.ts has passed `lab --help`'s fast path: Ctrl-C is caught before the
// command parser and the commands load (program.ts), each file of the bundle with its code cache.
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setV8Flag, useCodeCaches } from './code-cache.js';
import { catchSignals } from './interrupt.js';

catchSignals(); // before anything else loads: Ctrl-C at any moment gets its answer
// npm run build bundles this file into dist/cli/lab.cjs, its chunks under dist/cli/chunks/
useCodeCaches(dirname(fileURLToPath(import.meta.url)));
laterOptimisation();
void import('./program.js');

/** V8 optimises a function once it has run through a budget of bytecode (66 KB by default): a command's
 * start-up code (YAML's parser, zod's, commander) runs that hot for a few ms, and optimising it cost
 * more CPU than it saved. At 16 times the budget, code that stays hot in a long command (serve, a
 * 200-node up) is still optimised. Node 20's V8 (11) only, whose default is known here: set under
 * another default, the code caches would be refused. */
function laterOptimisation(): void {
  if (process.versions.v8.startsWith('11.'))
    setV8Flag('--interrupt-budget=1081344', '--interrupt-budget=67584');
}
