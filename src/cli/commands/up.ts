// lab up: Ctrl-C removes what was created and exits 130.
import { labUp } from '../../engine/up.js';
import { DefinitionError } from '../../errors.js';
import { labFileOf } from '../../paths.js';

export async function up(
  ref: string,
  opts: {
    set: string[];
    instance: string;
    verbose?: boolean;
    provider?: string;
    hypervisor?: string;
    plan?: boolean;
  },
): Promise<void> {
  const file = labFileOf(ref);
  if (opts.hypervisor) process.env.LAB_VAGRANT_HYPERVISOR = opts.hypervisor; // read by the vagrant providers
  if (opts.provider || opts.plan) {
    const { openLab } = await import('../../model/open.js');
    const provider = opts.provider ?? openLab(file, opts.set).lab.provider;
    if (opts.plan) {
      if (provider !== 'vagrant' && provider !== 'vagrant-host')
        throw new DefinitionError(
          '--plan prints what a vagrant provider would run: add --provider vagrant or vagrant-host',
        );
      return (await import('../../providers/vagrant/up.js')).printPlan(file, provider, opts);
    }
    // one VM carrying the emulated lab: its own flow, `lab up` inside the VM
    if (provider === 'vagrant-host') return (await import('../vagrant-host.js')).upInsideVm(file, opts);
  }
  const controller = new AbortController();
  const onSignal = () => {
    if (controller.signal.aborted) return;
    console.error('\ninterrupted: removing what was created ...');
    controller.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    const { record, ms, outcomes } = await labUp(file, { ...opts, signal: controller.signal });
    const i = record.instance === 'default' ? '' : ` -i ${record.instance}`;
    const first = outcomes[0]?.check;
    console.log(`\n${record.lab} is up and proven in ${(ms / 1000).toFixed(2)} s.`);
    if (first)
      console.log(
        `  look:   lab exec ${record.lab}${i} ${first.node} -- ${first.run}   |   lab ssh ${record.lab}${i} NODE`,
      );
    console.log(`  again:  lab check ${record.lab}${i}        remove: lab down ${record.lab}${i}`);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
