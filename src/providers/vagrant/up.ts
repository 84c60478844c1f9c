// Where an instance's Vagrant project lives, the hypervisor, and lab up --plan: every command the run
// would make, and nothing done.
import { join } from 'node:path';
import type { Lab } from '../../core/lab.js';
import { hostRoutes } from '../../host/routes.js';
import { stateRoot } from '../../paths.js';
import type { Hypervisor, VagrantMode } from './plan.js';
import { buildProject } from './project.js';
import { managementPrefixOf } from './render.js';

/** The project folder of an instance: beside its journal. */
export const projectDirOf = (dir: string) => join(dir, 'vagrant');

export function hypervisorOf(): Hypervisor {
  return process.env.LAB_VAGRANT_HYPERVISOR === 'virtualbox' ? 'virtualbox' : 'libvirt';
}

export async function planOf(lab: Lab, mode: VagrantMode, instance: string): Promise<string> {
  return buildProject({
    lab,
    instance,
    mode,
    hypervisor: hypervisorOf(),
    managementPrefix: managementPrefixOf(lab, instance, await hostRoutes().catch(() => [])),
    projectDir: projectDirOf(join(stateRoot(), lab.name, instance)),
  }).plan;
}
