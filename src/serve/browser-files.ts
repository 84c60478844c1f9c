// The files the browser loads (the pages' script and style, the terminal's script) are plain JS and
// CSS kept beside their TypeScript under src/serve/; npm run build copies them to the same places under
// dist/serve/, which is what a packaged install has (package.json "files": no src/). Served from there.
import { join } from 'node:path';
import { PROJECT_DIR } from '../paths.js';

/** Where the served copies are: dist/serve/ (assets/..., terminal/browser/...). */
export const BROWSER_FILES = join(PROJECT_DIR, 'dist', 'serve');

/** Their sources, relative to src/serve/ and to BROWSER_FILES alike (the build copies each). */
export const BROWSER_SOURCES = ['assets/workshop.css', 'assets/workshop.js', 'terminal/browser/terminal.js'];
