// lab down: `vagrant destroy -f` in every project the journal lists (the libvirt networks the
// project named go with its last machine), then the SSH forwarders by PID, then lab's own libvirt
// daemons once no domain is left. Idempotent: a project already gone is nothing to do.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Resource } from '../../contracts/provider.js';
import { startTimeOf, stopProcesses } from '../../host/processes.js';
import { mustVagrant } from './cli.js';
import { stopIdleLibvirt } from './libvirt-daemons.js';

/** vagrant processes still at work in a project (a SIGKILLed lab up leaves its `vagrant up`
 * running, holding the machine's lock): found by the VAGRANT_CWD lab gave them, stopped by PID. */
function vagrantsIn(dir: string): { pid: number; starttime?: string }[] {
  const mark = `\0VAGRANT_CWD=${dir}\0`;
  return readdirSync('/proc')
    .filter((p) => /^\d+$/.test(p) && Number(p) !== process.pid)
    .flatMap((p) => {
      try {
        return `\0${readFileSync(`/proc/${p}/environ`, 'latin1')}`.includes(mark)
          ? [{ pid: Number(p), starttime: startTimeOf(Number(p)) }]
          : [];
      } catch {
        return [];
      }
    });
}

export async function destroyVagrant(resources: Resource[]): Promise<void> {
  for (const r of [...resources].reverse()) {
    if (r.kind !== 'vagrant' || !existsSync(r.dir)) continue;
    await stopProcesses(vagrantsIn(r.dir), 10_000);
    await mustVagrant(r.dir, ['destroy', '-f'], {
      hypervisor: r.hypervisor,
      netns: r.netns,
      timeoutMs: 900_000,
    });
  }
  await stopProcesses(
    resources.flatMap((r) => (r.kind === 'process' && r.pid ? [{ pid: r.pid, starttime: r.starttime }] : [])),
  );
  const project = resources.find((r) => r.kind === 'vagrant' && r.hypervisor === 'libvirt');
  if (project?.kind === 'vagrant') await stopIdleLibvirt(dirname(project.dir));
}
