// Render: every file of every node, from its roles. Pure: writing them out is the caller's business.
import { existsSync, mkdirSync, readdirSync, readFileSync, rmdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import type { Lab } from '../core/lab.js';
import { DefinitionError, hostWriteError } from '../errors.js';
import { makeFolders } from '../host/fs.js';
import { roleOf } from '../roles/index.js';
import type { RenderedFile } from '../roles/role.js';

export function renderLab(lab: Lab): RenderedFile[] {
  return lab.nodes.flatMap((node) => node.roles.flatMap((r) => roleOf(r)?.render?.(lab, node) ?? []));
}

/** The list of what the last render wrote into a folder: the next one removes what it no longer writes. */
export const RENDER_MANIFEST = '.lab-rendered';

/** Writes files as <dir>/<node>/<path on the node>, for a person to read. The folder ends up holding
 * exactly this render: files an earlier render wrote there (fewer workers, another lab) are removed.
 * A non-empty folder that lab did not render is refused, never emptied. */
export function writeRendered(files: RenderedFile[], dir: string): string[] {
  try {
    return writeInto(files, dir);
  } catch (e) {
    if (e instanceof DefinitionError) throw e;
    throw hostWriteError('the rendered files into', dir, e);
  }
}

function writeInto(files: RenderedFile[], dir: string): string[] {
  makeFolders(dir);
  const manifest = join(dir, RENDER_MANIFEST);
  const before = existsSync(manifest) ? readFileSync(manifest, 'utf8').split('\n').filter(Boolean) : [];
  if (!existsSync(manifest) && readdirSync(dir).length) {
    throw new DefinitionError(`${dir} is not empty, and no earlier lab render wrote it`, {
      code: 'render-folder-not-empty',
      details: ['Render into an empty or new folder (-o DIR): lab does not mix its files with others.'],
    });
  }
  const written = files.map((f) => {
    const target = join(dir, f.node, f.path);
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, f.content, { mode: f.mode ?? 0o644 });
    return target;
  });
  const now = new Set(written.map((t) => relative(dir, t)));
  for (const old of before) {
    // only paths inside the folder: the manifest is ours, but a hand-edited one must not reach out
    const target = resolve(dir, old);
    if (now.has(old) || !target.startsWith(`${resolve(dir)}${sep}`)) continue;
    rmSync(target, { force: true });
    for (let d = dirname(target); d.startsWith(`${resolve(dir)}${sep}`); d = dirname(d)) {
      if (readdirSync(d).length) break;
      rmdirSync(d);
    }
  }
  writeFileSync(manifest, `${[...now].join('\n')}\n`);
  return written;
}
