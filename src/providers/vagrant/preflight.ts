// Before anything is created: Vagrant and the hypervisor's plugin, the host's CPUs, memory and disk
// against the lab's `vagrant` requirements, and a management prefix no host route uses.
import { readFileSync, statfsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import type { Lab } from '../../core/lab.js';
import { PreflightError } from '../../errors.js';
import { runCommand } from '../../host/command.js';
import { prefixesOverlap } from '../../net/ip.js';
import { vagrant } from './cli.js';
import type { Hypervisor, VagrantMode } from './plan.js';
import { hostVmSize } from './vagrantfile.js';

export interface HostResources {
  cpus: number;
  memoryMb: number;
  diskMb: number;
}

export function hostResources(dir: string): HostResources {
  const mem = /MemAvailable:\s+(\d+) kB/.exec(readFileSync('/proc/meminfo', 'utf8'));
  const fs = statfsSync(dir);
  return {
    cpus: availableParallelism(),
    memoryMb: mem ? Math.floor(Number(mem[1]) / 1024) : 0,
    diskMb: Math.floor((fs.bavail * fs.bsize) / 2 ** 20),
  };
}

/** What the lab asks of the host on this mode: its `vagrant` requirements, or one VM's size. */
export function needOf(
  lab: Lab,
  mode: VagrantMode,
): { cpus: number; memory_mb: number; disk_mb: number } | undefined {
  if (mode === 'vagrant') return lab.requirements.vagrant;
  const size = hostVmSize(lab);
  return { cpus: size.cpus, memory_mb: size.memoryMb, disk_mb: 20_000 };
}

/** Every shortfall at once; pure, so that tests can give it any host. */
export function resourceProblems(lab: Lab, mode: VagrantMode, host: HostResources): string[] {
  const need = needOf(lab, mode);
  if (!need)
    return [`${lab.name} states no requirements.vagrant: add { cpus, memory_mb, disk_mb } to its lab file`];
  const out: string[] = [];
  if (host.cpus < need.cpus) out.push(`CPUs: the lab needs ${need.cpus}, this host has ${host.cpus}`);
  if (host.memoryMb < need.memory_mb)
    out.push(`memory: the lab needs ${need.memory_mb} MB, this host has ${host.memoryMb} MB available`);
  if (host.diskMb < need.disk_mb)
    out.push(`disk: the lab needs ${need.disk_mb} MB, the state folder's disk has ${host.diskMb} MB free`);
  return out;
}

export function prefixProblems(prefix: string, hostRoutes: string[]): string[] {
  const clash = hostRoutes.filter((r) => prefixesOverlap(r, prefix));
  return clash.length
    ? [
        `management prefix ${prefix} overlaps host routes ${clash.join(', ')}: set another management.prefix in the lab file`,
      ]
    : [];
}

export async function verifyVagrantHost(
  lab: Lab,
  opts: {
    mode: VagrantMode;
    hypervisor: Hypervisor;
    stateDir: string;
    managementPrefix: string;
    hostRoutes: string[];
  },
): Promise<void> {
  const problems: string[] = [];
  const version = await vagrant(opts.stateDir, ['--version'], { timeoutMs: 60_000 });
  if (version.exitCode !== 0) {
    problems.push(
      'vagrant: not found (install Vagrant 2.3 or later: https://developer.hashicorp.com/vagrant/install, or apt-get install vagrant)',
    );
  } else if (opts.hypervisor === 'libvirt') {
    const plugins = await vagrant(opts.stateDir, ['plugin', 'list'], { timeoutMs: 60_000 });
    if (!/^vagrant-libvirt\b/m.test(plugins.stdout))
      problems.push(
        'vagrant-libvirt: the plugin is missing (apt-get install vagrant-libvirt, or vagrant plugin install vagrant-libvirt)',
      );
  } else {
    const vbox = await runCommand('VBoxManage', ['--version']).catch(() => ({ exitCode: 127 }));
    if (vbox.exitCode !== 0) problems.push('VirtualBox: VBoxManage not found on PATH (install VirtualBox 7)');
  }
  problems.push(...resourceProblems(lab, opts.mode, hostResources(opts.stateDir)));
  if (opts.hypervisor === 'libvirt') problems.push(...prefixProblems(opts.managementPrefix, opts.hostRoutes));
  if (problems.length)
    throw new PreflightError(
      `this host cannot run ${lab.name} on --provider ${opts.mode} (${opts.hypervisor})`,
      {
        details: problems.map((p) => `  - ${p}`),
      },
    );
}
