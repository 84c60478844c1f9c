// Creating state on the host, with the host's real reason when it cannot be (Node's recursive mkdir
// reports ENOENT on a read-only file system).
import { accessSync, constants, existsSync, mkdirSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { hostWriteError } from '../errors.js';

/** The error the nearest existing ancestor gives when written to, or the original one. */
export function realCause(path: string, cause: unknown): unknown {
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

/** mkdir -p one level at a time: Node's recursive mkdir spins forever on a path under /proc. */
export function makeFolders(path: string, mode?: number): void {
  const missing: string[] = [];
  for (let d = resolve(path); !existsSync(d); d = dirname(d)) missing.unshift(d);
  for (const d of missing) mkdirSync(d, { mode });
  if (!statSync(path).isDirectory()) {
    throw Object.assign(new Error(`ENOTDIR: not a directory, mkdir '${path}'`), { code: 'ENOTDIR' });
  }
}

/** mkdir -p, or a PreflightError (exit 3) that names the folder and why it cannot be written. */
export function makeStateDir(path: string, what: string, mode?: number): void {
  try {
    makeFolders(path, mode);
  } catch (cause) {
    throw hostWriteError(what, path, realCause(path, cause));
  }
}
