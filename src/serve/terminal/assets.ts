// The browser's side of the terminal: xterm.js and its fit add-on as published, and our small script
// (browser/terminal.js, plain JS: no bundler). serve-core's server serves each file at its path.
import { join } from 'node:path';
import { PROJECT_DIR } from '../../paths.js';

const xterm = (file: string) => join(PROJECT_DIR, 'node_modules', '@xterm', file);

export const TERMINAL_ASSETS: { path: string; file: string; type: string }[] = [
  { path: '/terminal/xterm.js', file: xterm('xterm/lib/xterm.js'), type: 'text/javascript; charset=utf-8' },
  { path: '/terminal/xterm.css', file: xterm('xterm/css/xterm.css'), type: 'text/css; charset=utf-8' },
  {
    path: '/terminal/addon-fit.js',
    file: xterm('addon-fit/lib/addon-fit.js'),
    type: 'text/javascript; charset=utf-8',
  },
  {
    path: '/terminal/terminal.js',
    file: join(PROJECT_DIR, 'src', 'serve', 'terminal', 'browser', 'terminal.js'),
    type: 'text/javascript; charset=utf-8',
  },
];
