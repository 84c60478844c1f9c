// The lab command once main.ts has passed `lab --help`'s fast path: Ctrl-C is caught before the
// command parser and the commands load (program.ts), each file of the bundle with its code cache.
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { useCodeCaches } from './code-cache.js';
import { catchSignals } from './interrupt.js';

catchSignals(); // before anything else loads: Ctrl-C at any moment gets its answer
// npm run build bundles this file into dist/cli/lab.cjs, its chunks under dist/cli/chunks/
useCodeCaches(dirname(fileURLToPath(import.meta.url)));
void import('./program.js');
