// Hardware acceleration, detected rather than assumed: a /dev/kvm may be there and still not run a
// normal guest (this CI machine's is PVM: stock Debian kernels abort under it). A tiny guest, the
// box's own kernel booted with KVM to its "no root file system" panic, says whether KVM works; if not,
// the VM runs under QEMU's software emulation (TCG), several times slower.
import { existsSync } from 'node:fs';
import { runCommand } from '../../host/command.js';

export interface Acceleration {
  /** libvirt's domain type: kvm, or qemu (TCG). */
  driver: 'kvm' | 'qemu';
  /** Why, in one line. */
  reason: string;
}

const PANIC = /Kernel panic|VFS: Unable to mount root/;

/** Boots `kernel` under KVM for at most `timeoutMs`: KVM works when it reaches its panic in time. */
export async function detectAcceleration(
  kernel: string | undefined,
  timeoutMs = 30_000,
): Promise<Acceleration> {
  const forced = process.env.LAB_VM_ACCEL;
  if (forced === 'kvm' || forced === 'tcg')
    return { driver: forced === 'kvm' ? 'kvm' : 'qemu', reason: `LAB_VM_ACCEL=${forced}` };
  if (!existsSync('/dev/kvm')) return { driver: 'qemu', reason: 'no /dev/kvm' };
  if (!kernel || !existsSync(kernel))
    return { driver: 'kvm', reason: '/dev/kvm present (no kernel to try it with)' };
  const r = await runCommand(
    'qemu-system-x86_64',
    [
      ...['-accel', 'kvm', '-cpu', 'host', '-m', '256', '-smp', '1'],
      ...['-nographic', '-no-reboot', '-nodefaults', '-serial', 'stdio', '-monitor', 'none'],
      ...['-kernel', kernel, '-append', 'console=ttyS0 panic=-1 loglevel=4'],
    ],
    { timeoutMs },
  ).catch((e: Error) => ({ exitCode: 127, stdout: '', stderr: e.message, timedOut: false }));
  if (PANIC.test(r.stdout)) return { driver: 'kvm', reason: 'a KVM test guest booted' };
  const said = (r.stderr || r.stdout).trim().split('\n').at(-1)?.slice(0, 100);
  const why = r.timedOut
    ? `a KVM test guest did not boot in ${timeoutMs / 1000} s`
    : `KVM failed a test guest: ${said || `exit ${r.exitCode}`}`;
  return { driver: 'qemu', reason: why };
}
