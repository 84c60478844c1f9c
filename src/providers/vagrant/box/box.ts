// lab vm box build: the libvirt box of --provider vagrant-host, built here from Debian packages only
// (templates/vagrant/box/build-box.sh), cached under a key of what goes into it, added to Vagrant.
// A box of the current key is used by lab up; another key (a package, the script or Node.js changed)
// is a new box.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { ExecutionError, PreflightError } from '../../../errors.js';
import { runCommand } from '../../../host/command.js';
import { PROJECT_DIR } from '../../../paths.js';
import { mustVagrant } from '../cli.js';
import { BOX_PACKAGES } from './packages.js';
import { type OldBox, pruneBoxes, prunedLines } from './prune.js';

export const BUILD_SCRIPT = join(PROJECT_DIR, 'templates', 'vagrant', 'box', 'build-box.sh');

/** What the box is made of: the packages, the script that builds it, the Node.js copied into it. */
export function boxKey(
  packages: readonly string[] = BOX_PACKAGES,
  script = readFileSync(BUILD_SCRIPT, 'utf8'),
  node = process.version,
): string {
  return createHash('sha256')
    .update(JSON.stringify({ packages: [...packages].sort(), script, node }))
    .digest('hex')
    .slice(0, 12);
}

/** $LAB_CACHE_DIR, else $XDG_CACHE_HOME/lab, else ~/.cache/lab. */
export function cacheRoot(): string {
  return process.env.LAB_CACHE_DIR || join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'lab');
}

export interface LabBox {
  key: string;
  /** The name it is added to Vagrant under. */
  name: string;
  dir: string;
  file: string;
  /** Its kernel and initrd, where libvirt's QEMU user may read them (the cache may be under /root). */
  boot: string;
}

export function labBox(key = boxKey()): LabBox {
  const dir = join(cacheRoot(), 'box', key);
  const boot = join(process.env.LAB_VM_BOOT_DIR || '/var/lib/libvirt/boot', `lab-bookworm-${key}`);
  return { key, name: `lab/bookworm-${key}`, dir, file: join(dir, 'lab.box'), boot };
}

const ADDED = 'added';

/** The box of the current key is built and added (read from the cache: no vagrant process). */
export function labBoxReady(box = labBox()): boolean {
  return existsSync(box.file) && existsSync(join(box.dir, ADDED));
}

const TOOLS = [
  ['mmdebstrap', 'mmdebstrap'],
  ['qemu-img', 'qemu-utils'],
  ['mkfs.ext4', 'e2fsprogs'],
  ['ssh-keygen', 'openssh-client'],
  ['vagrant', 'vagrant vagrant-libvirt'],
] as const;

async function verifyBuildHost(): Promise<void> {
  if (process.getuid?.() !== 0)
    throw new PreflightError('lab vm box build runs as root (mmdebstrap keeps each file owner)', {
      details: ['Run it with sudo.'],
    });
  const missing: string[] = [];
  for (const [tool, pkg] of TOOLS) {
    const r = await runCommand('sh', ['-c', 'command -v "$1"', 'sh', tool]);
    if (r.exitCode !== 0) missing.push(pkg);
  }
  if (missing.length)
    throw new PreflightError(`lab vm box build needs ${missing.join(', ')}`, {
      details: [`apt-get install --no-install-recommends ${missing.join(' ')}`],
    });
}

/** Builds (unless cached) and adds the box; says what it did. */
export async function buildBox(
  opts: { force?: boolean; say?: (line: string) => void } = {},
): Promise<LabBox & { built: boolean; seconds: number; pruned: OldBox[] }> {
  const say = opts.say ?? (() => undefined);
  const box = labBox();
  const started = Date.now();
  if (!opts.force && labBoxReady(box)) {
    say(`box ${box.name} is built and added (cache ${box.dir})`);
    return { ...box, built: false, seconds: 0, pruned: [] };
  }
  await verifyBuildHost();
  rmSync(box.dir, { recursive: true, force: true });
  rmSync(box.boot, { recursive: true, force: true });
  say(`building box ${box.name} from Debian packages (mmdebstrap, a few minutes) in ${box.dir}`);
  const r = await runCommand('bash', [BUILD_SCRIPT, box.dir, box.boot, process.execPath, ...BOX_PACKAGES], {
    timeoutMs: 1_800_000,
    onStdout: (d) => d.split('\n').filter(Boolean).forEach(say),
  });
  if (r.exitCode !== 0) {
    rmSync(box.dir, { recursive: true, force: true });
    rmSync(box.boot, { recursive: true, force: true });
    throw new ExecutionError(
      `building the box failed (exit ${r.exitCode}${r.timedOut ? ', timed out' : ''})`,
      {
        details: r.stdout.trim().split('\n').slice(-12),
      },
    );
  }
  say(`vagrant box add ${box.name}`);
  await mustVagrant(box.dir, ['box', 'add', '--force', '--name', box.name, box.file], { timeoutMs: 600_000 });
  writeFileSync(join(box.dir, ADDED), `${box.name}\n`);
  // the boxes this one replaces: about 1 GB each in libvirt's pool and as much in the cache
  const pruned = await pruneBoxes(box);
  for (const line of prunedLines(pruned)) say(line);
  return { ...box, built: true, seconds: (Date.now() - started) / 1000, pruned };
}

/** lab vm box prune: the boxes of other keys than this checkout's, and a line for each. */
export async function pruneOldBoxes(
  opts: { dryRun?: boolean } = {},
): Promise<{ boxes: OldBox[]; lines: string[] }> {
  const boxes = await pruneBoxes(labBox(), opts);
  return { boxes, lines: prunedLines(boxes, opts.dryRun) };
}
