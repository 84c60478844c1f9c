// Render: every file of every node, from its roles. Pure: writing them out is the caller's business.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Lab } from '../core/lab.js';
import { roleOf } from '../roles/index.js';
import type { RenderedFile } from '../roles/role.js';

export function renderLab(lab: Lab): RenderedFile[] {
  return lab.nodes.flatMap((node) => node.roles.flatMap((r) => roleOf(r)?.render?.(lab, node) ?? []));
}

/** Writes files as <dir>/<node>/<path on the node>, for a person to read. */
export function writeRendered(files: RenderedFile[], dir: string): string[] {
  return files.map((f) => {
    const target = join(dir, f.node, f.path);
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, f.content, { mode: f.mode ?? 0o644 });
    return target;
  });
}
