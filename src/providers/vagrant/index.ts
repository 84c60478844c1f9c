// The vagrant providers. `vagrant`: one VM per node, the full realization; the engine drives it as
// any provider (createNetwork brings the machines up and runs the provisioning steps, bootNode says
// how to reach each one, the engine runs the lab's checks). `vagrant-host`: one VM carrying the
// emulated lab, which it carries (carrier.ts: the engine's carried up runs `lab up` inside the VM),
// and its teardown.

import type { JournalWriter, Orphan, Provider, ProviderContext, Resource } from '../../contracts/provider.js';
import type { Lab } from '../../core/lab.js';
import { LabError } from '../../errors.js';
import { hostRoutes } from '../../host/routes.js';
import { renderLab } from '../../render/render-lab.js';
import type { SshTarget } from '../../transport/ssh.js';
import { SshShell } from '../../transport/ssh.js';
import { vagrantHostCarrier } from './carrier.js';
import { mustVagrant } from './cli.js';
import { collectVagrantOrphans, vagrantOrphans } from './gc.js';
import { idleLibvirt, stopIdleLibvirt } from './libvirt-daemons.js';
import type { VagrantMode } from './plan.js';
import { verifyVagrantHost } from './preflight.js';
import { buildProject } from './project.js';
import { reachMachines } from './reach.js';
import { managementPrefixOf, renderForCli, writeProject } from './render.js';
import { runSteps } from './steps-runner.js';
import { destroyVagrant } from './teardown.js';
import { hypervisorOf, planOf, projectDirOf } from './up.js';

const say = (line: string) => {
  if (process.env.LAB_QUIET !== '1') console.log(line);
};

async function verifyHost(lab: Lab, mode: VagrantMode): Promise<void> {
  const routes = await hostRoutes().catch(() => []);
  await verifyVagrantHost(lab, {
    mode,
    hypervisor: hypervisorOf(),
    stateDir: process.cwd(),
    managementPrefix: managementPrefixOf(lab, 'default', routes),
    hostRoutes: lab.managementPrefix ? routes : [],
  });
}

// the machines of one run, from createNetwork to bootNode
const reached = new WeakMap<JournalWriter, SshTarget[]>();

export const vagrantProvider: Provider & { realizesRoles: true } = {
  name: 'vagrant',
  /** The VMs run the real software; the engine starts no emulated daemons on them. */
  realizesRoles: true,
  plan: (lab, instance) => planOf(lab, 'vagrant', instance),
  renderProject: (lab, opts) => renderForCli(lab, 'vagrant', opts),
  verifyHost: (lab) => verifyHost(lab, 'vagrant'),
  // the link is the hypervisor's bridge (or loopback for VirtualBox): known once the machines run
  allocateManagement: (lab, instance, taken) => ({
    prefix: managementPrefixOf(lab, instance, taken),
    link: '',
  }),

  async createNetwork(ctx: ProviderContext) {
    const hypervisor = hypervisorOf();
    const projectDir = projectDirOf(ctx.dir);
    const project = buildProject({
      lab: ctx.lab,
      instance: ctx.instance,
      mode: 'vagrant',
      hypervisor,
      managementPrefix: ctx.managementPrefix,
      projectDir,
      rendered: renderLab(ctx.lab),
    });
    // written before the machines exist: lab down and gc find them even after a crash
    ctx.journal.record({ kind: 'vagrant', id: 'vagrant:project', dir: projectDir, hypervisor });
    writeProject(project, projectDir);
    say(`  vagrant up --provider ${hypervisor}: ${project.machines.length} VMs, project ${projectDir}`);
    // said plainly: what a run of this mode rests on (README, "What is proven here")
    say(
      '  note: one VM per node is proven by plans, vagrant validate and a fake vagrant, not yet end to end; --provider vagrant-host is (npm run test:vm)',
    );
    await mustVagrant(projectDir, ['up', '--provider', hypervisor, '--no-provision'], {
      timeoutMs: 3_600_000,
    });
    const { targets, link } = await reachMachines(projectDir, project.machines);
    reached.set(ctx.journal, targets);
    const shells = new Map(targets.map((t) => [t.node, new SshShell(t, { connectTimeoutMs: 60_000 })]));
    try {
      await runSteps(shells, project.steps, {
        users: new Map(targets.map((t) => [t.node, t.user ?? 'root'])),
        guestPath: process.env.LAB_VAGRANT_GUEST_PATH,
        onStep: (s, state, ms) => {
          if (state === 'done')
            say(`  ✔ ${s.phase} on ${s.node}: ${s.title} (${((ms ?? 0) / 1000).toFixed(1)} s)`);
        },
      });
    } finally {
      for (const s of shells.values()) s.close();
    }
    return { addresses: targets.map((t) => t.host), link };
  },

  async bootNode(ctx, node) {
    const target = reached.get(ctx.journal)?.find((t) => t.node === node);
    if (!target) throw new LabError(`${node}: vagrant ssh-config did not name this machine`);
    // provisioned with the others in createNetwork: nothing is left to start
    const started = {
      node,
      command: 'provisioned',
      exitCode: 0,
      stderr: '',
      stdout: '',
      durationMs: 0,
      timedOut: false,
    };
    return { target, started: Promise.resolve(started) };
  },

  destroy: (resources: Resource[]) => destroyVagrant(resources),
  // machines in Vagrant's index whose instance folder is gone (both modes' projects), and lab's own
  // libvirt daemons when they run no domain
  findOrphans: async () => {
    const idle = await idleLibvirt();
    return [
      ...vagrantOrphans().map((o) => ({ ...o, kind: 'Vagrant machine', name: `${o.name} (${o.dir})` })),
      ...(idle ? [{ kind: 'libvirt daemons', name: `virtlogd and libvirtd in namespace ${idle}` }] : []),
    ];
  },
  removeOrphans: async (orphans: Orphan[]) => {
    await collectVagrantOrphans(
      orphans.filter((o) => o.kind === 'Vagrant machine') as (Orphan & { id: string; dir: string })[],
    );
    if (orphans.some((o) => o.kind === 'libvirt daemons')) await stopIdleLibvirt();
  },
};

export const vagrantHostProvider: Provider = {
  name: 'vagrant-host',
  carrier: vagrantHostCarrier,
  plan: (lab, instance) => planOf(lab, 'vagrant-host', instance),
  renderProject: (lab, opts) => renderForCli(lab, 'vagrant-host', opts),
  verifyHost: (lab) => verifyHost(lab, 'vagrant-host'),
  allocateManagement: (lab, instance, taken) => ({
    prefix: managementPrefixOf(lab, instance, taken),
    link: '',
  }),
  createNetwork: async () => {
    throw new LabError(
      'vagrant-host runs from lab up --provider vagrant-host: the emulated lab runs inside one VM',
    );
  },
  bootNode: async () => {
    throw new LabError(
      'vagrant-host runs from lab up --provider vagrant-host: the emulated lab runs inside one VM',
    );
  },
  destroy: (resources: Resource[]) => destroyVagrant(resources),
  // the vagrant provider collects the machines of both modes
  findOrphans: async () => [],
  removeOrphans: async () => undefined,
};
