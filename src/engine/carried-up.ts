// lab up with a provider that carries the lab in one machine (contracts/provider.ts: LabCarrier, as
// vagrant-host's one VM running the emulated lab): the machine up, then the same `lab up` inside it;
// `lab exec` and `lab check` on this host run inside it too, over ssh2. `lab down` is the provider's
// destroy, which takes the lab inside with it.
import { rmSync } from 'node:fs';
import type { LabCarrier, Provider } from '../contracts/provider.js';
import { DefinitionError, ExecutionError, InterruptedError, LabError } from '../errors.js';
import { hostRoutes } from '../host/routes.js';
import { openLab } from '../model/open.js';
import { shellQuote } from '../shell-quote.js';
import { SshShell } from '../transport/ssh.js';
import { listInstance, unlistInstance } from './host-instances.js';
import type { InstanceRecord } from './instances.js';
import { openShells } from './shells.js';
import { createInstanceDir, journalOf, saveTargets, writeInstance } from './state.js';

/** lab on the carrying machine, as root without a prompt. */
const inside = (carrier: LabCarrier, args: string[]) =>
  `sudo -n ${carrier.labCommand.join(' ')} ${args.map(shellQuote).join(' ')}`;

async function runInside(
  carrier: LabCarrier,
  shell: SshShell,
  args: string[],
  timeoutMs = 600_000,
): Promise<number> {
  const r = await shell.exec(inside(carrier, args), { timeoutMs });
  if (r.stdout) process.stdout.write(r.stdout);
  if (r.stderr) process.stderr.write(r.stderr);
  return r.exitCode;
}

/** `lab check|exec ...` on an instance that lives inside the carrying machine: the exit code to return. */
export async function forwardToCarrier(
  carrier: LabCarrier,
  record: InstanceRecord,
  args: string[],
): Promise<number> {
  const shells = await openShells(record, [carrier.machine]);
  try {
    return await runInside(carrier, shells.get(carrier.machine)!, args);
  } finally {
    for (const s of shells.values()) s.close();
  }
}

export async function upCarried(
  provider: Provider,
  carrier: LabCarrier,
  file: string,
  opts: { set: string[]; instance: string },
): Promise<void> {
  const refused = carrier.refuseFile(file);
  if (refused) throw new DefinitionError(refused);
  const { lab } = openLab(file, opts.set);
  await provider.verifyHost(lab);
  const dir = createInstanceDir(lab.name, opts.instance);
  const { prefix: managementPrefix } = provider.allocateManagement(
    lab,
    opts.instance,
    await hostRoutes().catch(() => []),
  );
  const record: InstanceRecord = {
    id: `${lab.name}/${opts.instance}`,
    lab: lab.name,
    instance: opts.instance,
    file,
    sets: opts.set,
    provider: provider.name,
    dir,
    managementPrefix,
    status: 'starting',
    ownerPid: process.pid,
    createdAt: new Date().toISOString(),
  };
  writeInstance(record);
  listInstance(record);
  const journal = journalOf(dir);
  const controller = new AbortController();
  const onSignal = () => controller.abort();
  // on, not once: a second Ctrl-C while the machine is being destroyed must not end lab before it is
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  let shell: SshShell | undefined;
  // Ctrl-C (or lab down's SIGTERM) ends any wait at once: the machine is destroyed whatever it was doing
  const interrupted = new Promise<never>((_, reject) =>
    controller.signal.addEventListener('abort', () => reject(new InterruptedError('interrupted')), {
      once: true,
    }),
  );
  interrupted.catch(() => undefined);
  const unlessInterrupted = <T>(work: Promise<T>) => Promise.race([work, interrupted]);
  try {
    const { targets, link } = await carrier.bringUp({
      lab,
      instance: opts.instance,
      dir,
      journal,
      managementPrefix,
      signal: controller.signal,
    });
    record.link = link;
    writeInstance(record);
    saveTargets(dir, targets, '');
    shell = new SshShell(targets[0], { connectTimeoutMs: 60_000 });
    const args = ['up', lab.name, '-i', opts.instance, ...opts.set.flatMap((s) => ['--set', s])];
    const code = await unlessInterrupted(runInside(carrier, shell, args, 1_800_000));
    if (code !== 0) throw new ExecutionError(`lab up ${lab.name} inside the VM exited with ${code}`);
    record.status = 'up';
    writeInstance(record);
  } catch (error) {
    if (controller.signal.aborted) {
      await provider.destroy(journal.resources());
      rmSync(dir, { recursive: true, force: true });
      unlistInstance(lab.name, opts.instance);
      throw new InterruptedError(
        `interrupted: the VM of ${lab.name} (instance ${opts.instance}) is destroyed`,
      );
    }
    record.status = 'failed';
    writeInstance(record);
    const e =
      error instanceof LabError ? error : new ExecutionError((error as Error).message, { cause: error });
    e.details.push(
      `The VM is left running for a look (${carrier.lookHint(dir)}); lab down ${lab.name} removes it.`,
    );
    throw e;
  } finally {
    shell?.close();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
