// lab gc: Vagrant machines of this state folder whose instance is gone (a crash, a deleted folder).
// Vagrant's own machine index ($VAGRANT_HOME/data/machine-index/index) lists every machine with its
// project folder; ours sit in <state>/<lab>/<instance>/vagrant. Reading the index costs no vagrant
// process, so gc stays fast on hosts without Vagrant labs.
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { basename, dirname, join, sep } from 'node:path';
import { stateRoot } from '../../paths.js';
import { mustVagrant } from './cli.js';
import { libvirtNetns } from './libvirt-daemons.js';

interface IndexEntry {
  name: string;
  provider: string;
  vagrantfile_path: string;
}

function machineIndex(): Record<string, IndexEntry> {
  const file = join(
    process.env.VAGRANT_HOME ?? join(homedir(), '.vagrant.d'),
    'data',
    'machine-index',
    'index',
  );
  if (!existsSync(file)) return {};
  try {
    return (
      (JSON.parse(readFileSync(file, 'utf8')) as { machines?: Record<string, IndexEntry> }).machines ?? {}
    );
  } catch {
    return {};
  }
}

/** Machines in this state folder's Vagrant projects whose instance folder holds no instance.json. */
export function vagrantOrphans(): { id: string; name: string; dir: string; provider: string }[] {
  const root = `${stateRoot()}${sep}`;
  return Object.entries(machineIndex()).flatMap(([id, m]) => {
    const dir = m.vagrantfile_path;
    const ours = dir?.startsWith(root) && basename(dir) === 'vagrant';
    return ours && !existsSync(join(dirname(dir), 'instance.json'))
      ? [{ id, name: m.name, dir, provider: m.provider }]
      : [];
  });
}

export async function collectVagrantOrphans(
  orphans: { id: string; dir: string; provider?: string }[],
): Promise<void> {
  // a machine of lab's own libvirt is destroyed from its namespace, where vagrant reaches it
  const netns = libvirtNetns();
  for (const o of orphans)
    await mustVagrant(dirname(o.dir), ['destroy', '-f', o.id], {
      netns: o.provider === 'libvirt' ? netns : undefined,
      timeoutMs: 900_000,
    });
}
