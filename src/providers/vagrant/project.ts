// The Vagrant project of one instance: what `lab render --provider vagrant|vagrant-host` writes and
// what `lab up` runs from. Pure: the caller writes the files.

import type { RenderedFile } from '../../contracts/role.js';
import type { VmStep } from '../../contracts/vm.js';
import type { Lab } from '../../core/lab.js';
import { renderLab } from '../../render/render-lab.js';
import { HOST_SETUP } from './host-setup.js';
import { machinesOf, totals } from './machines.js';
import { formatPlan, type Hypervisor, stepFile, type VagrantMode } from './plan.js';
import { stepsOf } from './steps/index.js';
import { fullVagrantfile, hostVagrantfile, hostVmSize, type VagrantTarget } from './vagrantfile.js';

export interface ProjectFile {
  path: string;
  content: string;
  mode?: number;
}

export interface Project {
  files: ProjectFile[];
  steps: VmStep[];
  plan: string;
  /** Vagrant machine names, in order. */
  machines: string[];
  managementPrefix: string;
}

export interface ProjectOptions {
  lab: Lab;
  instance: string;
  mode: VagrantMode;
  hypervisor: Hypervisor;
  managementPrefix: string;
  projectDir: string;
  rendered?: RenderedFile[];
  /** vagrant-host on lab's own box, and the detected libvirt domain type (see VagrantTarget). */
  labBox?: VagrantTarget['labBox'];
  driver?: VagrantTarget['driver'];
}

export function buildProject(o: ProjectOptions): Project {
  const target = {
    lab: o.lab,
    instance: o.instance,
    managementPrefix: o.managementPrefix,
    labBox: o.labBox,
    driver: o.driver,
  };
  if (o.mode === 'vagrant-host') {
    const size = hostVmSize(o.lab);
    const plan = formatPlan({ ...o, steps: [], vms: { count: 1, ...size } });
    return {
      files: [
        { path: 'Vagrantfile', content: hostVagrantfile(target) },
        { path: 'steps/host-setup.sh', content: HOST_SETUP, mode: 0o755 },
        { path: 'plan.txt', content: plan },
      ],
      steps: [],
      plan,
      machines: ['lab-host'],
      managementPrefix: o.managementPrefix,
    };
  }
  const rendered = o.rendered ?? renderLab(o.lab);
  const machines = machinesOf(o.lab, o.instance);
  const steps = stepsOf(o.lab, rendered);
  const plan = formatPlan({ ...o, steps, vms: { count: machines.length, ...totals(machines) } });
  return {
    files: [
      { path: 'Vagrantfile', content: fullVagrantfile(target, machines) },
      ...steps.map((s) => ({ path: stepFile(s, steps), content: s.script, mode: 0o755 })),
      ...rendered.map((f) => ({ path: `rendered/${f.node}${f.path}`, content: f.content, mode: f.mode })),
      { path: 'plan.txt', content: plan },
    ],
    steps,
    plan,
    machines: machines.map((m) => m.node),
    managementPrefix: o.managementPrefix,
  };
}
