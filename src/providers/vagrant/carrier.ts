// vagrant-host carries the lab: one Debian VM (the project synced to /lab, built there by setup.sh, or
// lab's own box) in which the emulated lab runs. The engine's carried up (engine/carried-up.ts) asks
// this for the VM, then runs lab up inside it; lab check, exec and ssh run lab there too.
import type { LabCarrier } from '../../contracts/provider.js';
import { InterruptedError } from '../../errors.js';
import { LABS_DIR } from '../../paths.js';
import { mustVagrant } from './cli.js';
import { buildProject } from './project.js';
import { reachMachines } from './reach.js';
import { writeProject } from './render.js';
import { hypervisorOf, projectDirOf } from './up.js';
import { prepareVmHost } from './vm-host.js';

export const vagrantHostCarrier: LabCarrier = {
  machine: 'lab-host',
  // the project is synced to /lab in the VM and built there by setup.sh
  labCommand: ['node', '/lab/dist/cli/main.js'],
  refuseFile: (file) =>
    file.startsWith(`${LABS_DIR}/`)
      ? undefined
      : `--provider vagrant-host runs the labs of the project synced into the VM: put ${file} under ${LABS_DIR}/NAME/lab.yaml`,
  lookHint: (dir) => `VAGRANT_CWD=${projectDirOf(dir)} vagrant ssh`,
  async bringUp({ lab, instance, dir, journal, managementPrefix, signal }) {
    const hypervisor = hypervisorOf();
    const projectDir = projectDirOf(dir);
    // before lab's libvirtd may start: teardown then stops it too, once no instance uses it
    journal.record({ kind: 'vagrant', id: 'vagrant:project', dir: projectDir, hypervisor });
    const { netns, ...vm } = await prepareVmHost(hypervisor, projectDir, (l) => console.log(l));
    if (signal.aborted) throw new InterruptedError('interrupted');
    // before the machine exists: lab down and gc destroy it from the namespace vagrant reaches it in
    journal.record({ kind: 'vagrant', id: 'vagrant:project', dir: projectDir, hypervisor, netns });
    const project = buildProject({
      lab,
      instance,
      mode: 'vagrant-host',
      hypervisor,
      managementPrefix,
      projectDir,
      ...vm,
    });
    writeProject(project, projectDir);
    console.log(
      vm.labBox
        ? `vagrant up --provider ${hypervisor}: one VM (project ${projectDir})`
        : `vagrant up --provider ${hypervisor}: one VM, then setup.sh --deps-only in it (project ${projectDir})`,
    );
    const started = Date.now();
    // Vagrant's own progress, timed: under software emulation a boot takes minutes
    const progress = (line: string) => {
      if (line.startsWith('==> '))
        console.log(`  ${((Date.now() - started) / 1000).toFixed(0).padStart(4)} s ${line.slice(4)}`);
    };
    // on Ctrl-C vagrant gets one SIGINT, stops where it is and exits; then the VM is destroyed
    await mustVagrant(projectDir, ['up', '--provider', hypervisor], {
      netns,
      timeoutMs: 3_600_000,
      onLine: progress,
      signal,
    });
    if (signal.aborted) throw new InterruptedError('interrupted');
    // a wait on SSH ends at once on Ctrl-C
    const interrupted = new Promise<never>((_, reject) =>
      signal.addEventListener('abort', () => reject(new InterruptedError('interrupted')), { once: true }),
    );
    interrupted.catch(() => undefined);
    return Promise.race([reachMachines(projectDir, project.machines, journal, netns), interrupted]);
  },
};
