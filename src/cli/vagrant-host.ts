// --provider vagrant-host: one Debian VM carrying the emulated lab. `lab up` brings the VM up (the
// project synced to /lab, setup.sh --deps-only), then runs the same `lab up` inside it; `lab exec`
// and `lab check` on this host run inside it too, over ssh2. `lab down` is the provider's
// `vagrant destroy -f`, which takes the lab inside with it.
import { rmSync } from 'node:fs';
import { registerInstance, unregisterInstance } from '../engine/host-instances.js';
import type { InstanceRecord } from '../engine/instances.js';
import { openShells } from '../engine/session.js';
import { createInstanceDir, journalOf, saveTargets, writeInstance } from '../engine/state.js';
import { DefinitionError, InterruptedError, LabError, StepError } from '../errors.js';
import { hostRoutes } from '../host/routes.js';
import { openLab } from '../model/open.js';
import { LABS_DIR } from '../paths.js';
import { providerOf } from '../providers/index.js';
import { mustVagrant } from '../providers/vagrant/cli.js';
import { buildProject } from '../providers/vagrant/project.js';
import { reachMachines } from '../providers/vagrant/reach.js';
import { managementPrefixOf, writeProject } from '../providers/vagrant/render.js';
import { hypervisorOf, projectDirOf } from '../providers/vagrant/up.js';
import { prepareVmHost } from '../providers/vagrant/vm-host.js';
import { shellQuote } from '../shell-quote.js';
import { SshShell } from '../transport/ssh.js';

/** The project is synced to /lab in the VM and built there by setup.sh. */
const inside = (args: string[]) => `sudo -n node /lab/dist/cli/main.js ${args.map(shellQuote).join(' ')}`;

async function runInside(shell: SshShell, args: string[], timeoutMs = 600_000): Promise<number> {
  const r = await shell.exec(inside(args), { timeoutMs });
  if (r.stdout) process.stdout.write(r.stdout);
  if (r.stderr) process.stderr.write(r.stderr);
  return r.exitCode;
}

/** `lab check|exec ...` on an instance that lives inside the VM: the exit code to return. */
export async function forwardToHost(record: InstanceRecord, args: string[]): Promise<number> {
  const shells = await openShells(record, ['lab-host']);
  try {
    return await runInside(shells.get('lab-host')!, args);
  } finally {
    for (const s of shells.values()) s.close();
  }
}

export async function upInsideVm(file: string, opts: { set: string[]; instance: string }): Promise<void> {
  if (!file.startsWith(`${LABS_DIR}/`))
    throw new DefinitionError(
      `--provider vagrant-host runs the labs of the project synced into the VM: put ${file} under ${LABS_DIR}/NAME/lab.yaml`,
    );
  const { lab } = openLab(file, opts.set);
  const provider = await providerOf('vagrant-host');
  await provider.verifyHost(lab);
  const hypervisor = hypervisorOf();
  const dir = createInstanceDir(lab.name, opts.instance);
  const projectDir = projectDirOf(dir);
  const managementPrefix = managementPrefixOf(lab, opts.instance, await hostRoutes().catch(() => []));
  const record: InstanceRecord = {
    id: `${lab.name}/${opts.instance}`,
    lab: lab.name,
    instance: opts.instance,
    file,
    sets: opts.set,
    provider: 'vagrant-host',
    dir,
    managementPrefix,
    status: 'starting',
    ownerPid: process.pid,
    createdAt: new Date().toISOString(),
  };
  writeInstance(record);
  registerInstance(record);
  const journal = journalOf(dir);
  const controller = new AbortController();
  const onSignal = () => controller.abort();
  // on, not once: a second Ctrl-C while the VM is being destroyed must not end lab before it is
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  let shell: SshShell | undefined;
  // Ctrl-C (or lab down's SIGTERM) ends any wait at once: the VM is destroyed whatever it was doing
  const interrupted = new Promise<never>((_, reject) =>
    controller.signal.addEventListener('abort', () => reject(new InterruptedError('interrupted')), {
      once: true,
    }),
  );
  interrupted.catch(() => undefined);
  const unlessInterrupted = <T>(work: Promise<T>) => Promise.race([work, interrupted]);
  try {
    // before lab's libvirtd may start: teardown then stops it too, once no instance uses it
    journal.record({ kind: 'vagrant', id: 'vagrant:project', dir: projectDir, hypervisor });
    const { netns, ...vm } = await prepareVmHost(hypervisor, projectDir, (l) => console.log(l));
    if (controller.signal.aborted) throw new InterruptedError('interrupted');
    // before the machine exists: lab down and gc destroy it from the namespace vagrant reaches it in
    journal.record({ kind: 'vagrant', id: 'vagrant:project', dir: projectDir, hypervisor, netns });
    const project = buildProject({
      lab,
      instance: opts.instance,
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
      signal: controller.signal,
    });
    if (controller.signal.aborted) throw new InterruptedError('interrupted');
    const { targets, link } = await unlessInterrupted(
      reachMachines(projectDir, project.machines, journal, netns),
    );
    record.link = link;
    writeInstance(record);
    saveTargets(dir, targets, '');
    shell = new SshShell(targets[0], { connectTimeoutMs: 60_000 });
    const args = ['up', lab.name, '-i', opts.instance, ...opts.set.flatMap((s) => ['--set', s])];
    const code = await unlessInterrupted(runInside(shell, args, 1_800_000));
    if (code !== 0) throw new StepError(`lab up ${lab.name} inside the VM exited with ${code}`);
    record.status = 'up';
    writeInstance(record);
  } catch (error) {
    if (controller.signal.aborted) {
      await provider.destroy(journal.resources());
      rmSync(dir, { recursive: true, force: true });
      unregisterInstance(lab.name, opts.instance);
      throw new InterruptedError(
        `interrupted: the VM of ${lab.name} (instance ${opts.instance}) is destroyed`,
      );
    }
    record.status = 'failed';
    writeInstance(record);
    const e = error instanceof LabError ? error : new StepError((error as Error).message, { cause: error });
    e.details.push(
      `The VM is left running for a look (VAGRANT_CWD=${projectDir} vagrant ssh); lab down ${lab.name} removes it.`,
    );
    throw e;
  } finally {
    shell?.close();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
