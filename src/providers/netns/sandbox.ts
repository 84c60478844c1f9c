// A node's sandbox, as one fstab its holder mounts with a single `mount -a` (a mount process per
// folder cost a hundred nodes a second of boot): the node's own /run, /etc and /var (overlays over the
// host's), /var/log and /root, its own /tmp and /home, and every lab state folder an empty folder.
// The holder then makes the host read-only. It keeps a node from reading another instance's keys by
// path; root in a node shares the host's user and PID namespaces, so it is no jail.
import { existsSync, realpathSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { PROJECT_DIR } from '../../paths.js';
import type { NodeDirs } from './node-files.js';

/** Folders the sandbox replaces with the node's own: what lies below them is out of the node's sight. */
const COVERED = ['/run', '/root', '/tmp', '/home', '/var/log'];

const isUnder = (path: string, dir: string) => path === dir || path.startsWith(`${dir}/`);
const covered = (path: string) => COVERED.some((c) => isUnder(path, c));

/** fstab escapes: a space in a path would end its field. */
const field = (s: string) =>
  s.replaceAll('\\', '\\134').replaceAll(' ', '\\040').replaceAll('\t', '\\011').replaceAll('\n', '\\012');

/** Host folders a node runs programs from (the Cilium agent: this checkout and Node.js): set aside
 * before the sandbox covers them, put back read-only. Only those the sandbox would cover. */
export function keptFolders(): string[] {
  const wanted = [PROJECT_DIR, dirname(dirname(realpathSync(process.execPath)))].map((p) => resolve(p));
  return [...new Set(wanted)].filter(covered);
}

/** The node's mounts in order; `hidden` are the state folders (those under a covered folder are
 * gone with it already). */
export function sandboxFstab(dirs: NodeDirs, hidden: string[]): string {
  const rows = [
    // recursive: folders set aside under the run folder come along
    [dirs.run, '/run', 'none', 'rbind'],
    ['lab-etc', '/etc', 'overlay', `lowerdir=/etc,upperdir=${dirs.etc},workdir=${dirs.work}`],
    ['lab-var', '/var', 'overlay', `lowerdir=/var,upperdir=${dirs.varUpper},workdir=${dirs.varWork}`],
    [dirs.log, '/var/log', 'none', 'bind'],
    [dirs.root, '/root', 'none', 'bind'],
    ['lab-tmp', '/tmp', 'tmpfs', 'mode=1777,size=256m'],
    ['lab-home', '/home', 'tmpfs', 'mode=755,size=64m'],
    ...[...new Set(hidden.map((h) => resolve(h)))]
      .filter((h) => !covered(h) && existsSync(h))
      .map((h) => ['lab-hidden', h, 'tmpfs', 'mode=700,size=64k']),
  ];
  return `${rows.map((r) => `${r.map(field).join(' ')} 0 0`).join('\n')}\n`;
}

/** State folders inside a kept folder (a checkout under /tmp holding a state folder): the fstab's
 * cover is undone by putting the folder back, so the holder hides these after it. */
export function hiddenInKept(kept: string[], hidden: string[]): string[] {
  return [...new Set(hidden.map((h) => resolve(h)))].filter(
    (h) => covered(h) && kept.some((k) => isUnder(h, k)) && existsSync(h),
  );
}
