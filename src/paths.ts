// Where things live: the labs shipped with the project, and the state of running instances.
import { existsSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DefinitionError } from './errors.js';
import { SAFE_NAME } from './names.js';

/** The folder holding package.json: found upwards, since this file runs from dist/ or from a bundled
 * chunk under dist/cli/ (npm run build bundles the lab command so that it loads a few files, not 400). */
export const PROJECT_DIR = projectDir(dirname(fileURLToPath(import.meta.url)));

function projectDir(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'labs'))) return dir;
    if (dirname(dir) === dir) return join(from, '..');
  }
}
export const LABS_DIR = join(PROJECT_DIR, 'labs');

/** LAB_STATE_DIR, else $XDG_STATE_HOME/lab, else ~/.local/state/lab. */
export function stateRoot(): string {
  if (process.env.LAB_STATE_DIR) return resolve(process.env.LAB_STATE_DIR);
  return join(process.env.XDG_STATE_HOME || join(homedir(), '.local', 'state'), 'lab');
}

/** A lab argument: a name under labs/, a folder holding lab.yaml, or a path to a lab file. */
export function labFileOf(ref: string): string {
  if (SAFE_NAME.test(ref) && existsSync(join(LABS_DIR, ref, 'lab.yaml')))
    return join(LABS_DIR, ref, 'lab.yaml');
  if (existsSync(ref)) {
    const file = statSync(ref).isDirectory() ? join(ref, 'lab.yaml') : ref;
    if (existsSync(file)) return resolve(file);
  }
  throw new DefinitionError(`no lab '${ref}': give a lab name (see 'lab list') or the path to a lab.yaml`, {
    code: 'lab-not-found',
  });
}

/** Instance names go into namespace and folder names. */
export function verifyInstanceName(name: string): string {
  if (!SAFE_NAME.test(name) || name.length > 16) {
    throw new DefinitionError(
      `--instance '${name}': use 1 to 16 lowercase letters, digits and dashes, starting with a letter`,
    );
  }
  return name;
}
