// lab up: Ctrl-C removes what was created and exits 130.
import { labUp } from '../../engine/up.js';
import { labFileOf } from '../../paths.js';

export async function up(
  ref: string,
  opts: { set: string[]; instance: string; verbose?: boolean },
): Promise<void> {
  const controller = new AbortController();
  const onSignal = () => {
    if (controller.signal.aborted) return;
    console.error('\ninterrupted: removing what was created ...');
    controller.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    const { record, ms, outcomes } = await labUp(labFileOf(ref), { ...opts, signal: controller.signal });
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
