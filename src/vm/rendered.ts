// What a VM step takes from the emulated lab's render: one node's file, found by its path or by the
// manifest kind it is (so that a VM runs the very files netns renders).
import type { RenderedFile } from '../contracts/role.js';
import type { Node } from '../core/lab.js';

/** The file rendered for this node at this path, if its roles render one. */
export function renderedFileOf(files: RenderedFile[], node: Node, path: string): RenderedFile | undefined {
  return files.find((f) => f.node === node.name && f.path === path);
}

/** The manifest of this kind rendered for this node, if its roles render one. */
export function renderedManifestOf(
  files: RenderedFile[],
  node: Node,
  kind: string,
): RenderedFile | undefined {
  return files.find((f) => f.node === node.name && f.manifest === kind);
}
