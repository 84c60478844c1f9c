// lab graph: the topology as a picture (SVG through Graphviz in WebAssembly), dot, or Mermaid.
import { DefinitionError } from '../../errors.js';
import { GRAPH_FORMATS, type GraphFormat, graphOf } from '../../graph/index.js';
import { writeOutputFile } from '../../host/output.js';
import { openLab } from '../../model/open.js';
import { labFileOf } from '../../paths.js';

export async function graph(
  ref: string,
  opts: { format: string; out?: string; set: string[] },
): Promise<void> {
  if (!GRAPH_FORMATS.includes(opts.format as GraphFormat))
    throw new DefinitionError(`--format ${opts.format}: use one of ${GRAPH_FORMATS.join(', ')}`);
  const { lab } = openLab(labFileOf(ref), opts.set);
  const text = await graphOf(lab, opts.format as GraphFormat);
  if (opts.out) writeOutputFile(opts.out, text, { what: 'the picture into', flag: '-o' });
  else process.stdout.write(text);
}
