// Render: every file of every node, from its roles. renderLab is pure; writeRendered (lab render -o)
// hands the files to host/output.ts, the one writer of output folders.
import { join } from 'node:path';
import type { RenderedFile } from '../contracts/role.js';
import type { Lab } from '../core/lab.js';
import { writeTree } from '../host/output.js';
import { roleOf } from '../roles/index.js';

export function renderLab(lab: Lab): RenderedFile[] {
  return lab.nodes.flatMap((node) => node.roles.flatMap((r) => roleOf(r)?.render?.(lab, node) ?? []));
}

/** Writes files as <dir>/<node>/<path on the node>, for a person to read. The folder ends up holding
 * exactly this render (host/output.ts): files an earlier render wrote there are removed; a non-empty
 * folder lab did not write, `/`, and links inside are refused. flag: the option that named dir. */
export function writeRendered(files: RenderedFile[], dir: string, flag?: string): string[] {
  return writeTree(
    dir,
    files.map((f) => ({ path: join(f.node, f.path), content: f.content, mode: f.mode })),
    { what: 'the rendered files into', flag },
  );
}
