// The plan: every command the provider runs, on the host and on each node, in order. `lab up LAB
// --provider vagrant --plan` prints it; the rendered project holds it as plan.txt; golden files in
// test/golden/<lab>/ keep it reviewed.

import type { VmStep } from '../../contracts/vm.js';
import { renderCheckCommand } from '../../core/command-context.js';
import type { Lab } from '../../core/lab.js';
import { instanceFlag } from '../../names.js';
import { oneLine } from '../../shell-quote.js';
import { VM_PHASES } from './steps/phases.js';

export type VagrantMode = 'vagrant' | 'vagrant-host';
export type Hypervisor = 'libvirt' | 'virtualbox';

/** Where each step's script sits in the rendered project. */
export function stepFile(step: VmStep, steps: VmStep[]): string {
  const phase = `${String(VM_PHASES.indexOf(step.phase) + 1).padStart(2, '0')}-${step.phase}`;
  const same = steps.filter((s) => s.phase === step.phase && s.node === step.node);
  const n = same.indexOf(step);
  return `steps/${phase}/${step.node}${n > 0 ? `-${n + 1}` : ''}.sh`;
}

/** A script's commands for reading: no preamble, here-documents folded to one line. */
export function commandLines(script: string): string[] {
  const out: string[] = [];
  const lines = script.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (
      !line.trim() ||
      line.startsWith('#') ||
      line === 'set -euo pipefail' ||
      line.startsWith('export DEBIAN_FRONTEND')
    )
      continue;
    const here = /<<'(\w+)'$/.exec(line);
    if (here) {
      let n = 0;
      while (i + 1 < lines.length && lines[i + 1] !== here[1]) {
        i++;
        n++;
      }
      i++; // the end marker
      out.push(`${line.slice(0, -here[0].length)}<<'${here[1]}'  # ${n} lines`);
      continue;
    }
    out.push(line);
  }
  return out;
}

export interface PlanOptions {
  lab: Lab;
  instance: string;
  mode: VagrantMode;
  hypervisor: Hypervisor;
  managementPrefix: string;
  steps: VmStep[];
  /** The project folder, as the plan names it. */
  projectDir: string;
  vms: { count: number; cpus: number; memoryMb: number };
}

export function formatPlan(o: PlanOptions): string {
  const { lab } = o;
  const out: string[] = [];
  const i = instanceFlag(o.instance);
  out.push(
    `# lab up ${lab.name}${i} --provider ${o.mode} (${o.hypervisor}): ${o.vms.count} VM${o.vms.count > 1 ? 's' : ''}, ${o.vms.cpus} vCPUs, ${o.vms.memoryMb} MB`,
    `# project: ${o.projectDir}; management network: ${o.hypervisor === 'libvirt' ? o.managementPrefix : 'VirtualBox NAT, SSH forwarded on 127.0.0.1'}`,
    '',
    '== host',
    `host$ vagrant up --provider ${o.hypervisor}${o.mode === 'vagrant' ? ' --no-provision' : ''}`,
    'host$ vagrant ssh-config',
  );
  const nodes = o.mode === 'vagrant' ? lab.nodes.map((n) => n.name) : ['lab-host'];
  for (const n of nodes)
    out.push(`host$ vagrant ssh ${n} -c 'cat /etc/ssh/ssh_host_ed25519_key.pub'   # pinned for ssh2`);
  if (o.mode === 'vagrant-host') {
    out.push(
      '',
      '== inside lab-host (over ssh2 as vagrant, with sudo): the emulated lab, as on a Linux host',
      `lab-host$ sudo node /lab/dist/cli/main.js up ${lab.name}${i}`,
      '',
      `== lab exec/check ${lab.name} on this host: forwarded to lab-host`,
      `lab-host$ sudo node /lab/dist/cli/main.js check ${lab.name}${i}`,
      '',
      '== lab down (the VM goes, and the lab inside with it)',
      'host$ vagrant destroy -f',
    );
    return `${out.join('\n')}\n`;
  }
  for (const phase of VM_PHASES) {
    const steps = o.steps.filter((s) => s.phase === phase);
    if (!steps.length) continue;
    out.push(
      '',
      `== ${phase}: ${steps.length} step${steps.length > 1 ? 's' : ''}${steps.length > 1 ? ', nodes in parallel' : ''}`,
    );
    for (const s of steps) {
      for (const input of s.inputs ?? [])
        out.push(`host: copy ${input.from.node}:${input.from.path} to ${s.node}:${input.path}`);
      out.push(
        `${s.node}$ sudo bash ${stepFile(s, o.steps)}   # ${oneLine(s.title)} (at most ${s.timeoutS} s)`,
      );
      for (const line of commandLines(s.script)) out.push(`    ${line}`);
    }
  }
  out.push('', '== checks, in order, each polled until its named wait ends');
  for (const c of lab.checks)
    out.push(
      `${c.node}$ ${renderCheckCommand(c.run, lab)}   # ${c.name} (${c.wait}: ${c.timeout} s)${c.repeat ? ` x${c.repeat.count}` : ''}`,
    );
  out.push('', '== lab down', 'host$ vagrant destroy -f');
  return `${out.join('\n')}\n`;
}
