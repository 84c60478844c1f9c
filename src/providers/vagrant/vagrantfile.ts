// The Vagrantfiles: one VM per node (full realization), or one VM carrying the emulated lab.
import type { Lab } from '../../core/lab.js';
import { renderTemplate, templates } from '../../core/templates.js';
import { PROJECT_DIR } from '../../paths.js';
import { VERSIONS } from '../../vm/versions.js';
import { type Machine, vmPrefix } from './machines.js';

/** A Ruby string literal: JSON's escapes are Ruby's, and `#` must not start an interpolation. */
export function rubyString(value: unknown): string {
  return JSON.stringify(String(value)).replaceAll('#', '\\#');
}

let filterAdded = false;
function render(template: string, context: object): string {
  if (!filterAdded) templates().addFilter('ruby', rubyString);
  filterAdded = true;
  return renderTemplate(template, context);
}

export interface VagrantTarget {
  lab: Lab;
  instance: string;
  /** The management network's prefix (libvirt); VirtualBox uses NAT and a forwarded port. */
  managementPrefix: string;
  /** The single VM's box when it is lab's own (built offline, kernel booted directly); else Debian's. */
  labBox?: { name: string; source: string };
  /** libvirt's domain type when detected (qemu: software emulation); unsaid, vagrant-libvirt's kvm. */
  driver?: 'kvm' | 'qemu';
}

const common = (t: VagrantTarget) => ({
  lab: { name: t.lab.name },
  instance: t.instance,
  box: VERSIONS.box,
  prefix: vmPrefix(t.lab.name, t.instance),
  management: { name: `${vmPrefix(t.lab.name, t.instance)}mgmt`, prefix: t.managementPrefix },
});

export function fullVagrantfile(t: VagrantTarget, machines: Machine[]): string {
  return render('vagrant/Vagrantfile.njk', { ...common(t), machines });
}

/** The single VM's size: the emulated lab's own needs, plus room for Node.js, the build and the OS. */
export function hostVmSize(lab: Lab): { cpus: number; memoryMb: number } {
  const need = lab.requirements.netns ?? { cpus: 1, memory_mb: 256 };
  return { cpus: Math.max(2, need.cpus + 1), memoryMb: need.memory_mb + 2048 };
}

export function hostVagrantfile(t: VagrantTarget, source = PROJECT_DIR): string {
  return render('vagrant/Vagrantfile-host.njk', {
    ...common(t),
    ...(t.labBox ? { box: { name: t.labBox.name }, offline: true } : {}),
    driver: t.driver,
    vmName: `${vmPrefix(t.lab.name, t.instance)}host`,
    size: hostVmSize(t.lab),
    source: t.labBox?.source ?? source,
    nodeVersion: VERSIONS.node,
  });
}
