// What add-ons share when they write the manifests their control plane applies; the Addon contract
// itself is contracts/addon.ts.

import type { RenderedFile } from '../contracts/role.js';
import type { Cluster, Lab, Node } from '../core/lab.js';
import { header, renderTemplate } from '../core/templates.js';
import { yamlDocuments } from '../yaml-quote.js';

/** Where a control plane keeps the manifests it applies. */
export const MANIFESTS = '/etc/lab/manifests';

/** One manifest under MANIFESTS, rendered from templates/<template> with the lab, node and cluster. */
export function manifest(
  lab: Lab,
  node: Node,
  cluster: Cluster,
  file: { name: string; template: string; context: object; kind: RenderedFile['manifest'] },
): RenderedFile {
  return {
    node: node.name,
    path: `${MANIFESTS}/${file.name}`,
    content: renderTemplate(file.template, { ...header(lab), node, cluster, ...file.context }),
    manifest: file.kind,
  };
}

/** One manifest under MANIFESTS, its documents written by the YAML serializer (values never templated). */
export function yamlManifest(
  node: Node,
  file: { name: string; comments: string[]; docs: unknown[]; kind: RenderedFile['manifest'] },
): RenderedFile {
  return {
    node: node.name,
    path: `${MANIFESTS}/${file.name}`,
    content: yamlDocuments(file.comments, file.docs),
    manifest: file.kind,
  };
}
