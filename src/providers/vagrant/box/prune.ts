// lab vm box prune (and the end of every build that adds a new box): lab's boxes of other keys, removed
// by name only (lab/bookworm-KEY in Vagrant, its volume in libvirt's images folder, its cache folder,
// its kernel). Each box is a volume of about 1 GB that Vagrant never removes; a volume a VM's disk
// still rests on is kept, with its box.
import { closeSync, existsSync, openSync, readdirSync, readSync, rmSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { runCommand } from '../../../host/command.js';
import { mustVagrant } from '../cli.js';

const KEY = '([0-9a-f]{12})';
/** vagrant-libvirt's name for a box's volume: the box name, `/` spelled -VAGRANTSLASH-. */
const VOLUME = new RegExp(`^lab-VAGRANTSLASH-bookworm-${KEY}_vagrant_box_image_.*\\.img$`);
const VAGRANT_BOX = new RegExp(`^lab-VAGRANTSLASH-bookworm-${KEY}$`);
const BOOT = new RegExp(`^lab-bookworm-${KEY}$`);

export interface OldBox {
  key: string;
  name: string;
  /** What is (or, with dryRun, would be) removed. */
  removed: string[];
  /** Why it is kept, when a VM's disk rests on its volume. */
  keptBecause?: string;
}

/** libvirt's default pool, where vagrant-libvirt puts box volumes and VM disks. */
export const imagesDir = () => process.env.LAB_LIBVIRT_IMAGES_DIR || '/var/lib/libvirt/images';
const vagrantBoxesDir = () => join(process.env.VAGRANT_HOME ?? join(homedir(), '.vagrant.d'), 'boxes');

const list = (dir: string) => {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
};

/** The backing file a qcow2 image names in its header (a VM's disk names its box's volume). */
export function backingFileOf(file: string): string | undefined {
  let fd: number | undefined;
  try {
    fd = openSync(file, 'r');
    const header = Buffer.alloc(20);
    if (readSync(fd, header, 0, 20, 0) < 20 || header.toString('latin1', 0, 4) !== 'QFI\xfb')
      return undefined;
    const offset = Number(header.readBigUInt64BE(8));
    const size = header.readUInt32BE(16);
    if (!offset || !size || size > 4096) return undefined;
    const name = Buffer.alloc(size);
    readSync(fd, name, 0, size, offset);
    return name.toString('utf8');
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** The box kept (box.ts's LabBox has these): its key, cache folder and kernel folder. */
type Current = { key: string; dir: string; boot: string };

/** Every box of lab's on this host but the current one, with the places it occupies. */
export function oldBoxes(current: Current): { key: string; places: string[]; usedBy?: string }[] {
  const images = imagesDir();
  const found = new Map<string, string[]>();
  const add = (re: RegExp, dir: string) => {
    for (const f of list(dir)) {
      const key = re.exec(f)?.[1];
      if (key && key !== current.key) found.set(key, [...(found.get(key) ?? []), join(dir, f)]);
    }
  };
  add(VAGRANT_BOX, vagrantBoxesDir());
  add(VOLUME, images);
  // the cache's and the kernels' folders: beside the current box's
  add(new RegExp(`^${KEY}$`), dirname(current.dir));
  add(BOOT, dirname(current.boot));
  // a VM's disk (any other image in the pool) resting on a box's volume keeps that box
  const backing = new Map<string, string>();
  for (const f of list(images).filter((f) => !VOLUME.test(f))) {
    const b = backingFileOf(join(images, f));
    if (b) backing.set(b.startsWith('/') ? b : join(images, b), f);
  }
  return [...found].map(([key, places]) => ({
    key,
    places,
    usedBy: places.map((p) => backing.get(p)).find(Boolean),
  }));
}

/** Removes the boxes of other keys (or, with dryRun, names them). */
export async function pruneBoxes(current: Current, opts: { dryRun?: boolean } = {}): Promise<OldBox[]> {
  const result: OldBox[] = [];
  let volumeRemoved = false;
  for (const old of oldBoxes(current)) {
    const name = `lab/bookworm-${old.key}`;
    if (old.usedBy) {
      result.push({ key: old.key, name, removed: [], keptBecause: `the disk ${old.usedBy} rests on it` });
      continue;
    }
    const removed: string[] = [];
    for (const place of old.places) {
      if (dirname(place) === vagrantBoxesDir()) {
        removed.push(`Vagrant box ${name}`);
        if (!opts.dryRun)
          await mustVagrant(dirname(place), ['box', 'remove', '--force', '--all', name], {
            timeoutMs: 120_000,
          });
        continue;
      }
      removed.push(place);
      if (opts.dryRun) continue;
      rmSync(place, { recursive: true, force: true });
      if (dirname(place) === imagesDir()) volumeRemoved = true;
    }
    result.push({ key: old.key, name, removed });
  }
  // a running libvirtd forgets the volumes removed from its default pool's folder
  if (volumeRemoved && !process.env.LAB_LIBVIRT_IMAGES_DIR && existsSync('/run/libvirt/libvirt-sock'))
    await runCommand('virsh', ['-q', '-c', 'qemu:///system', 'pool-refresh', 'default'], {
      timeoutMs: 15_000,
    }).catch(() => undefined);
  return result;
}

/** What a prune did, one line per box. */
export function prunedLines(pruned: OldBox[], dryRun = false): string[] {
  return pruned.map((b) =>
    b.keptBecause
      ? `kept old box ${b.name}: ${b.keptBecause}`
      : `${dryRun ? 'would remove' : 'removed'} old box ${b.name}: ${b.removed.join(', ')}`,
  );
}
