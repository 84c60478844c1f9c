// A node's sandbox, as one fstab its holder mounts with a single `mount -a` (a mount process per
// folder cost a hundred nodes a second of boot): the node's own /run, /etc and /var (overlays over the
// host's), /var/log and /root, its own /tmp and /home, and every lab state folder an empty folder.
// Then the host read-only. Before those, the node's own /proc and /sys, masked and
// read-only as Docker's default profile has them (OCI runtime spec: maskedPaths, readonlyPaths), and
// its own /dev/shm and ptys. The holder mounts all this as host root and then enters the node's user
// namespace (boot.ts): copied into a namespace of less privilege, every one of these mounts is locked,
// so root on the node can neither unmount one (to see what it covers) nor remount it writable.
import { existsSync, realpathSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { PROJECT_DIR } from '../../paths.js';
import { fstabLine } from './fstab.js';
import type { NodeDirs } from './node-files.js';

/** Folders the sandbox replaces with the node's own: what lies below them is out of the node's sight. */
const COVERED = ['/run', '/root', '/tmp', '/home', '/var/log'];

const isUnder = (path: string, dir: string) => path === dir || path.startsWith(`${dir}/`);
const covered = (path: string) => COVERED.some((c) => isUnder(path, c));

/** Host folders a node runs programs from (the Cilium agent: this checkout and Node.js): set aside
 * before the sandbox covers them, put back read-only. Only those the sandbox would cover. */
export function keptFolders(): string[] {
  const wanted = [PROJECT_DIR, dirname(dirname(realpathSync(process.execPath)))].map((p) => resolve(p));
  return [...new Set(wanted)].filter(covered);
}

/** Docker's masked paths: kernel memory, keys, the kernel log and its trigger, timers. */
const MASKED_FILES = [
  '/proc/kcore',
  '/proc/keys',
  '/proc/kmsg',
  '/proc/sysrq-trigger',
  '/proc/timer_list',
  '/proc/timer_stats',
  '/proc/sched_debug',
  '/proc/latency_stats',
];
const MASKED_DIRS = ['/proc/acpi', '/proc/scsi'];
/** Docker's read-only paths of /proc; /proc/sys/net stays writable (it is the node's own netns). */
const READONLY_PROC = ['/proc/bus', '/proc/fs', '/proc/irq'];

/** The node's own /proc, /sys, /dev/shm and ptys, masked as a container's; only what this kernel has. */
let kernel: string[][] | undefined;
export function kernelRows(): string[][] {
  kernel ??= [
    ['lab-proc', '/proc', 'proc', 'nosuid,nodev,noexec'],
    // its own network namespace's sysfs: ip netns exec on the node can mount another over it
    ['lab-sys', '/sys', 'sysfs', 'ro,nosuid,nodev,noexec'],
    ...MASKED_FILES.filter(existsSync).map((p) => ['/dev/null', p, 'none', 'bind']),
    ...MASKED_DIRS.filter(existsSync).map((d) => ['lab-mask', d, 'tmpfs', 'ro,size=4k']),
    ...READONLY_PROC.filter(existsSync).map((d) => [d, d, 'none', 'bind,ro']),
    // net first, then sys recursively: the read-only flag goes on /proc/sys only, net keeps its own
    ['/proc/sys/net', '/proc/sys/net', 'none', 'bind'],
    ['/proc/sys', '/proc/sys', 'none', 'rbind,ro'],
    ['lab-shm', '/dev/shm', 'tmpfs', 'nosuid,nodev,mode=1777,size=32m'],
    ['lab-pts', '/dev/pts', 'devpts', 'newinstance,ptmxmode=0666,mode=0620'],
  ];
  return kernel;
}

/** The node's mounts in order; `hidden` are the state folders (those under a covered folder are
 * gone with it already). */
export function sandboxFstab(
  dirs: NodeDirs,
  hidden: string[],
  node: { idBase: number; diskMb: number },
): string {
  const { idBase, diskMb } = node;
  // the node's root owns its /home (its /tmp is everyone's)
  const own = `uid=${idBase},gid=${idBase}`;
  const rows = [
    ...kernelRows(),
    // recursive: folders set aside under the run folder come along
    [dirs.run, '/run', 'none', 'rbind'],
    ['lab-etc', '/etc', 'overlay', `lowerdir=/etc,upperdir=${dirs.etc},workdir=${dirs.work}`],
    ['lab-var', '/var', 'overlay', `lowerdir=/var,upperdir=${dirs.varUpper},workdir=${dirs.varWork}`],
    [dirs.log, '/var/log', 'none', 'bind'],
    [dirs.root, '/root', 'none', 'bind'],
    // each as large as the lab's stated disk (requirements.netns.disk_mb); all of them together less
    // than a node's memory limit, which counts them too: a node filling them meets a full disk first
    ['lab-tmp', '/tmp', 'tmpfs', `mode=1777,size=${diskMb}m`],
    ['lab-home', '/home', 'tmpfs', `mode=755,size=16m,${own}`],
    ...[...new Set(hidden.map((h) => resolve(h)))]
      .filter((h) => !covered(h) && existsSync(h))
      .map((h) => ['lab-hidden', h, 'tmpfs', 'mode=700,size=64k']),
    // last, the host read-only: in this mount -a, not a mount process of its own (one process and one
    // read of the mount table fewer per node; the folders set aside are put back on the node's own
    // writable mounts). mount -a skips a row whose target is "/" and one whose source it finds mounted:
    // "/." is the root all the same
    ['lab-ro', '/.', 'none', 'remount,bind,ro'],
  ];
  return `${rows.map(fstabLine).join('\n')}\n`;
}

/** State folders inside a kept folder (a checkout under /tmp holding a state folder): the fstab's
 * cover is undone by putting the folder back, so the holder hides these after it. */
export function hiddenInKept(kept: string[], hidden: string[]): string[] {
  return [...new Set(hidden.map((h) => resolve(h)))].filter(
    (h) => covered(h) && kept.some((k) => isUnder(h, k)) && existsSync(h),
  );
}
