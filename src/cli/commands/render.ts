// lab render: every rendered file, by node, for a person to read.
import { join, relative } from 'node:path';
import { openLab } from '../../model/open.js';
import { labFileOf, stateRoot, verifyInstanceName } from '../../paths.js';
import { renderLab, writeRendered } from '../../render/render-lab.js';
import { printIssues } from '../output.js';

export async function render(
  ref: string,
  opts: { out?: string; set: string[]; instance: string },
): Promise<void> {
  const { lab, issues } = openLab(labFileOf(ref), opts.set);
  printIssues(issues); // warnings only: errors stop openLab
  const out = opts.out ?? join(stateRoot(), lab.name, verifyInstanceName(opts.instance), 'rendered');
  const written = writeRendered(renderLab(lab), out);
  for (const f of written) console.log(relative(process.cwd(), f) || f);
  console.log(`${written.length} files rendered for ${lab.nodes.length} nodes in ${out}`);
}
