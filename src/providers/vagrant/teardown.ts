// lab down: `vagrant destroy -f` in every project the journal lists (the libvirt networks the
// project named go with its last machine). Idempotent: a project already gone is nothing to do.
import { existsSync } from 'node:fs';
import type { Resource } from '../../contracts/provider.js';
import { mustVagrant } from './cli.js';

export async function destroyVagrant(resources: Resource[]): Promise<void> {
  for (const r of [...resources].reverse()) {
    if (r.kind !== 'vagrant' || !existsSync(r.dir)) continue;
    await mustVagrant(r.dir, ['destroy', '-f'], { hypervisor: r.hypervisor, timeoutMs: 900_000 });
  }
}
