// The browser's side of the terminal: xterm.js and its fit add-on as published (resolved as the
// dependencies they are, wherever the install put them), and our small script (browser/terminal.js,
// plain JS: no bundler), which npm run build copies into dist/ beside the pages' own files: a packaged
// install has no src/. serve-core's server serves each file at its path.
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { BROWSER_FILES } from '../browser-files.js';

const dependency = (file: string) => createRequire(import.meta.url).resolve(file);

export const TERMINAL_ASSETS: { path: string; file: string; type: string }[] = [
  {
    path: '/terminal/xterm.js',
    file: dependency('@xterm/xterm/lib/xterm.js'),
    type: 'text/javascript; charset=utf-8',
  },
  {
    path: '/terminal/xterm.css',
    file: dependency('@xterm/xterm/css/xterm.css'),
    type: 'text/css; charset=utf-8',
  },
  {
    path: '/terminal/addon-fit.js',
    file: dependency('@xterm/addon-fit/lib/addon-fit.js'),
    type: 'text/javascript; charset=utf-8',
  },
  {
    path: '/terminal/terminal.js',
    file: join(BROWSER_FILES, 'terminal', 'browser', 'terminal.js'),
    type: 'text/javascript; charset=utf-8',
  },
];
