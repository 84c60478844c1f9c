// lab render: every rendered file, by node, for a person to read.
import { join, relative } from 'node:path';
import { openLab } from '../../model/open.js';
import { labFileOf, stateRoot, verifyInstanceName } from '../../paths.js';
import { renderLab, writeRendered } from '../../render/render-lab.js';
import { printIssues } from '../output.js';
import { validateRendered } from './render-validate.js';

export async function render(
  ref: string,
  opts: {
    out?: string;
    set: string[];
    instance: string;
    provider?: string;
    hypervisor?: string;
    validate?: boolean;
  },
): Promise<void> {
  const { lab, issues } = openLab(labFileOf(ref), opts.set);
  printIssues(issues); // warnings only: errors stop openLab
  const provider = opts.provider ?? lab.provider;
  const { providerOf } = await import('../../providers/index.js');
  const { renderProject } = await providerOf(provider);
  if (renderProject) {
    // a provider that runs from a project of its own renders all of it (Vagrantfile, step scripts, plan)
    // beside the instance's own project (vagrant/), never over it
    const out =
      opts.out ?? join(stateRoot(), lab.name, verifyInstanceName(opts.instance), `rendered-${provider}`);
    const written = await renderProject(lab, {
      instance: verifyInstanceName(opts.instance),
      out,
      flag: opts.out === undefined ? undefined : '-o',
      hypervisor: opts.hypervisor,
    });
    for (const f of written) console.log(relative(process.cwd(), f) || f);
    console.log(`${written.length} files of the ${provider} project for ${lab.nodes.length} nodes in ${out}`);
    if (opts.validate) await validateRendered(renderLab(lab));
    return;
  }
  const out = opts.out ?? join(stateRoot(), lab.name, verifyInstanceName(opts.instance), 'rendered');
  const files = renderLab(lab);
  const written = writeRendered(files, out, opts.out === undefined ? undefined : '-o');
  for (const f of written) console.log(relative(process.cwd(), f) || f);
  console.log(`${written.length} files rendered for ${lab.nodes.length} nodes in ${out}`);
  // after writing: the files the tools fault are there to read
  if (opts.validate) await validateRendered(files);
}
