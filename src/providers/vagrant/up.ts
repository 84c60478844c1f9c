// lab up --provider vagrant|vagrant-host --plan: every command the run would make, and nothing done.
import { join } from 'node:path';
import { hostRoutes } from '../../host/routes.js';
import { openLab } from '../../model/open.js';
import { stateRoot } from '../../paths.js';
import type { Hypervisor, VagrantMode } from './plan.js';
import { buildProject } from './project.js';
import { managementPrefixOf } from './render.js';

/** The project folder of an instance: beside its journal. */
export const projectDirOf = (dir: string) => join(dir, 'vagrant');

export function hypervisorOf(): Hypervisor {
  return process.env.LAB_VAGRANT_HYPERVISOR === 'virtualbox' ? 'virtualbox' : 'libvirt';
}

export async function printPlan(
  file: string,
  mode: VagrantMode,
  opts: { set: string[]; instance: string },
): Promise<void> {
  const { lab } = openLab(file, opts.set);
  const project = buildProject({
    lab,
    instance: opts.instance,
    mode,
    hypervisor: hypervisorOf(),
    managementPrefix: managementPrefixOf(lab, opts.instance, await hostRoutes().catch(() => [])),
    projectDir: projectDirOf(join(stateRoot(), lab.name, opts.instance)),
  });
  process.stdout.write(project.plan);
}
