// Creating state on the host, with the host's real reason when it cannot be (Node's recursive mkdir
// reports ENOENT on a read-only file system).
import { accessSync, constants, existsSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { hostWriteError } from '../errors.js';

/** The error the nearest existing ancestor gives when written to, or the original one. */
function realCause(path: string, cause: unknown): unknown {
  if ((cause as NodeJS.ErrnoException).code !== 'ENOENT') return cause;
  let dir = path;
  while (!existsSync(dir) && dirname(dir) !== dir) dir = dirname(dir);
  try {
    accessSync(dir, constants.W_OK);
    return cause;
  } catch (e) {
    return e;
  }
}

/** mkdir -p, or a PreflightError (exit 3) that names the folder and why it cannot be written. */
export function makeStateDir(path: string, what: string, mode?: number): void {
  try {
    mkdirSync(path, { recursive: true, mode });
  } catch (cause) {
    throw hostWriteError(what, path, realCause(path, cause));
  }
}
