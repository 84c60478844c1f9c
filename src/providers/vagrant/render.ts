// lab render LAB --provider vagrant|vagrant-host -o DIR: the whole Vagrant project, for reading and
// for use on another host.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Lab } from '../../core/lab.js';
import { writeTree } from '../../host/output.js';
import { allocateVagrantPrefix } from './management.js';
import type { Hypervisor, VagrantMode } from './plan.js';
import { buildProject, type Project } from './project.js';

export function writeProject(project: Project, dir: string): string[] {
  return project.files.map((f) => {
    const target = join(dir, f.path);
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, f.content, { mode: f.mode ?? 0o644 });
    return target;
  });
}

/** The management prefix: the lab's own, else the first free one for this instance. */
export function managementPrefixOf(lab: Lab, instance: string, taken: string[]): string {
  return (
    lab.managementPrefix ??
    allocateVagrantPrefix(`${lab.name}/${instance}`, [
      ...taken,
      ...lab.networks.flatMap((n) => (n.prefix ? [n.prefix] : [])),
    ])
  );
}

export function renderProject(
  lab: Lab,
  opts: {
    instance: string;
    mode: VagrantMode;
    hypervisor: Hypervisor;
    out: string;
    taken?: string[];
    flag?: string;
  },
): { project: Project; written: string[] } {
  const project = buildProject({
    lab,
    instance: opts.instance,
    mode: opts.mode,
    hypervisor: opts.hypervisor,
    managementPrefix: managementPrefixOf(lab, opts.instance, opts.taken ?? []),
    projectDir: opts.out,
  });
  // a folder a person named: claimed and written as render -o writes (host/output.ts)
  const written = writeTree(opts.out, project.files, {
    what: `the ${opts.mode} project into`,
    flag: opts.flag,
  });
  return { project, written };
}

/** The CLI's entry: host routes make the management prefix the one `lab up` would pick. */
export async function renderForCli(
  lab: Lab,
  provider: string,
  opts: { instance: string; out: string; flag?: string; hypervisor?: string },
): Promise<string[]> {
  const { hostRoutes } = await import('../../host/routes.js');
  const taken = await hostRoutes().catch(() => []);
  return renderProject(lab, {
    instance: opts.instance,
    mode: provider as VagrantMode,
    hypervisor: (opts.hypervisor ?? 'libvirt') as Hypervisor,
    out: opts.out,
    flag: opts.flag,
    taken,
  }).written;
}
