// lab up: Ctrl-C removes what was created and exits 130. The handler is set before the engine's code
// loads (half a second on a busy host): a Ctrl-C that early still ends in a clean interruption.

import { formatIssue, type Issue } from '../../core/issue.js';
import { DefinitionError, InterruptedError } from '../../errors.js';
import { parseAllow } from '../../lint/allow.js';
import { instanceFlag } from '../../names.js';
import { labFileOf } from '../../paths.js';
import { printable } from '../../printable.js';
import { shellQuote } from '../../shell-quote.js';
import { setV8Flag } from '../code-cache.js';
import { handleInterruption, stopCatchingSignals } from '../interrupt.js';
import { allowedBanner } from '../output.js';

/** V8 doubles the young generation as a command allocates, up to 16 MB per semi-space: memory lab up
 * never gives back (bgp-metallb's peak 8 MB higher). Kept at its first size for up, whose peak memory
 * counts: lint, where CPU counts, scavenged 17 times instead of 7 under it. A flag this V8 may not
 * know is not set (it would print an error). */
function smallYoungGeneration(): void {
  const v8Major = Number(process.versions.v8.split('.')[0]);
  if (v8Major >= 11 && v8Major <= 14)
    setV8Flag('--semi-space-growth-factor=1', '--semi-space-growth-factor=2');
}

export async function up(
  ref: string,
  opts: {
    set: string[];
    instance: string;
    verbose?: boolean;
    provider?: string;
    hypervisor?: string;
    plan?: boolean;
    to?: string;
    allow?: string[];
    instances?: string;
    prefix?: string;
    parallel?: string;
  },
): Promise<void> {
  smallYoungGeneration();
  const allow = parseAllow(opts.allow ?? []);
  if (opts.instances === undefined && (opts.prefix || opts.parallel))
    throw new DefinitionError('--prefix and --parallel name a workshop: add --instances N');
  // lab.ts catches signals from the first moment; from here this command answers them itself
  const signal = await handleInterruption();
  const onSignal = () => console.error('\ninterrupted: removing what was created ...');
  signal.addEventListener('abort', onSignal, { once: true });
  const release = () => {
    signal.removeEventListener('abort', onSignal);
    stopCatchingSignals();
  };
  try {
    if (opts.instances !== undefined)
      return await (await import('./workshop.js')).upWorkshop(
        ref,
        { ...opts, instances: opts.instances, allow },
        signal,
      );
    await upWith(ref, { ...opts, allow }, signal, release);
  } finally {
    signal.removeEventListener('abort', onSignal);
  }
}

async function upWith(
  ref: string,
  opts: Parameters<typeof up>[1],
  signal: AbortSignal,
  release: () => void,
): Promise<void> {
  const file = labFileOf(ref);
  if (opts.hypervisor) process.env.LAB_VAGRANT_HYPERVISOR = opts.hypervisor; // read by the vagrant providers
  if (opts.provider || opts.plan) {
    const { openLab } = await import('../../model/open.js');
    const provider = opts.provider ?? openLab(file, opts.set).lab.provider;
    const { providerOf } = await import('../../providers/index.js');
    const chosen = await providerOf(provider);
    if (opts.plan || chosen.carrier) {
      // these flows handle Ctrl-C their own way
      release();
      if (signal.aborted) throw new InterruptedError('interrupted: nothing was created');
    }
    if (opts.plan) {
      if (!chosen.plan)
        throw new DefinitionError(
          '--plan prints what a vagrant provider would run: add --provider vagrant or vagrant-host',
        );
      process.stdout.write(await chosen.plan(openLab(file, opts.set).lab, opts.instance));
      return;
    }
    // one machine carrying the lab (vagrant-host's VM): its own flow, `lab up` inside it
    if (chosen.carrier)
      return (await import('../../engine/carried-up.js')).upCarried(chosen, chosen.carrier, file, opts);
  }
  const { labUp } = await import('../../engine/up.js');
  const { record, ms, outcomes, trap } = await labUp(file, {
    ...opts,
    onAllowed: (lab: string, issues: Issue[]) => {
      for (const line of allowedBanner(lab, issues)) console.error(line);
      for (const i of issues) console.error(`  ${printable(formatIssue(i)).replaceAll('\n', '\n  ')}`);
    },
    signal,
  });
  const i = instanceFlag(record.instance);
  const first = outcomes[0]?.check;
  const where = opts.to ? ` at the end of step ${opts.to}` : '';
  console.log(`\n${record.lab} is up${where} and proven in ${(ms / 1000).toFixed(2)} s.`);
  if (record.allowed?.length) for (const line of allowedBanner(record.lab, record.allowed)) console.log(line);
  if (trap) {
    console.log(`  ${trap.step}, run on purpose once the steps before it were proven:`);
    for (const line of trap.lines) console.log(`    ${printable(line)}`);
  }
  if (first)
    console.log(
      `  look:   lab exec ${record.lab}${i} ${first.node} -- ${pastable(first.run)}   |   lab ssh ${record.lab}${i} NODE`,
    );
  if (opts.to) console.log(`  steps:  lab steps ${record.lab}${i}        next: lab step ${record.lab}${i}`);
  console.log(`  again:  lab check ${record.lab}${i}        remove: lab down ${record.lab}${i}`);
}

/** A command as the reader pastes it after `lab exec ... --`: quoted when the reader's shell would
 * otherwise take part of it (a `;`, a pipe, a `$`), since lab exec joins its arguments for the node. */
const pastable = (command: string) => (/^[\w@%+=:,./ -]*$/.test(command) ? command : shellQuote(command));
