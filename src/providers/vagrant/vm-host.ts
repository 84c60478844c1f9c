// What a libvirt VM needs from this host before `vagrant up`: a libvirtd that answers (lab's own in a
// namespace when none does), the acceleration that works here, and the box: lab's own when built
// (lab vm box build: offline, the project staged beside the Vagrantfile), else Debian's from the catalogue.
import { dirname, join } from 'node:path';
import { detectAcceleration } from './accel.js';
import { labBox, labBoxReady } from './box/box.js';
import { ensureLibvirt } from './libvirt-daemons.js';
import type { Hypervisor } from './plan.js';
import { stageProject } from './stage.js';
import type { VagrantTarget } from './vagrantfile.js';

export async function prepareVmHost(
  hypervisor: Hypervisor,
  projectDir: string,
  say: (line: string) => void,
): Promise<Pick<VagrantTarget, 'labBox' | 'driver'> & { netns?: string }> {
  if (hypervisor !== 'libvirt') return {};
  const netns = await ensureLibvirt(say, dirname(projectDir));
  const box = labBoxReady() ? labBox() : undefined;
  const accel = await detectAcceleration(box && join(box.boot, 'vmlinuz'));
  if (accel.driver === 'qemu')
    say(
      `  no usable KVM (${accel.reason}): the VM runs under QEMU's software emulation, several times slower`,
    );
  if (!box) {
    say('  box debian/bookworm64 (lab vm box build makes one that needs no network)');
    return { driver: accel.driver, netns };
  }
  const source = join(projectDir, 'source');
  stageProject(source);
  say(`  box ${box.name} (offline), the project staged in ${source}`);
  return { driver: accel.driver, netns, labBox: { name: box.name, source } };
}
