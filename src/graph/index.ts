// lab graph's formats: one function from a lab to the text of a picture.
import type { Lab } from '../core/lab.js';
import { toDot } from './dot.js';
import { toMermaid } from './mermaid.js';
import { dotToSvg } from './svg.js';
import { topologyOf } from './topology.js';

export const GRAPH_FORMATS = ['svg', 'dot', 'mermaid'] as const;
export type GraphFormat = (typeof GRAPH_FORMATS)[number];

export async function graphOf(lab: Lab, format: GraphFormat): Promise<string> {
  const topology = topologyOf(lab);
  if (format === 'mermaid') return toMermaid(topology);
  const dot = toDot(topology);
  return format === 'dot' ? dot : dotToSvg(dot);
}
