// The state folder (LAB_STATE_DIR) is checked before any command runs: lab writes, and on `lab down`
// removes, folders under it, so it must be a folder of lab's own, never `/`, /etc, a file or someone's
// files. A folder lab wrote carries a marker; one written before the marker existed is known by its shape.
import {
  type Dirent,
  lstatSync,
  readdirSync,
  realpathSync,
  type Stats,
  statSync,
  writeFileSync,
} from 'node:fs';
import { homedir } from 'node:os';
import { join, sep } from 'node:path';
import { DefinitionError, PreflightError } from '../errors.js';
import { SAFE_NAME } from '../names.js';
import { stateRoot } from '../paths.js';

/** What lab writes at the top of an instance's folder (lab render's default output too: rendered,
 * rendered-PROVIDER). */
const INSTANCE_ENTRIES = new Set([
  'instance.json',
  'journal.jsonl',
  'events.jsonl',
  'steps.json',
  'ssh',
  'nodes',
  'vagrant',
  // the network's scratch fstabs (netns/network.ts), there while lab up mounts the nodes' folders
  'folders.fstab',
  'namespaces.fstab',
]);

/** What DIR, an instance's folder, holds that lab never writes there; none when it is gone or no folder. */
export function foreignEntries(dir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return []; // gone, or no folder: nothing of anyone's to lose
  }
  return names.filter((n) => !INSTANCE_ENTRIES.has(n) && !/^rendered(-[a-z-]+)?$/.test(n));
}

/** The first three names, quoted, and how many more. */
export const someNames = (names: string[]): string =>
  `${names
    .slice(0, 3)
    .map((n) => JSON.stringify(n))
    .join(', ')}${names.length > 3 ? ` and ${names.length - 3} more` : ''}`;

/** Marks a state folder lab wrote. */
export const STATE_MARKER = '.lab-state';
/** What lab writes at the top of its state folder besides the labs' folders. */
const ROOT_ENTRIES = new Set([STATE_MARKER, '.serve']);

/** The host's own folders: lab's folders beside their files would mix with the system's. */
const SYSTEM = new Set(
  [
    '/',
    ...'bin boot dev etc home lib lib32 lib64 libx32 media mnt opt proc root run sbin snap srv sys tmp usr var'
      .split(' ')
      .map((d) => `/${d}`),
    ...'bin include lib lib64 libexec local sbin share src'.split(' ').map((d) => `/usr/${d}`),
    ...'backups cache lib local lock log mail opt run spool tmp'.split(' ').map((d) => `/var/${d}`),
  ].map((d) => d.replace(/\/$/, '') || '/'),
);
/** Pseudo file systems: nothing of lab's can live there. */
const PSEUDO = ['/proc', '/sys', '/dev'];

const HINT =
  'Set LAB_STATE_DIR to a new or empty folder of its own, or unset it (default ~/.local/state/lab).';

const statOrNone = (path: string, stat: (p: string) => Stats = statSync): Stats | undefined => {
  try {
    return stat(path);
  } catch {
    return undefined;
  }
};

const realOf = (path: string): string => {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
};

/** What the folder's top holds that lab never writes there (names, shortest story first). */
function foreignAtTop(root: string, entries: Dirent[]): string[] {
  const foreign: string[] = [];
  for (const e of entries) {
    if (ROOT_ENTRIES.has(e.name)) continue;
    if (!e.isDirectory() || !SAFE_NAME.test(e.name)) {
      foreign.push(e.name);
      continue;
    }
    // a lab's folder holds instances' folders, which hold what lab writes there
    let instances: Dirent[];
    try {
      instances = readdirSync(join(root, e.name), { withFileTypes: true });
    } catch {
      continue; // unreadable or gone: its own command will say so
    }
    for (const i of instances) {
      const own =
        i.isDirectory() && SAFE_NAME.test(i.name) && !foreignEntries(join(root, e.name, i.name)).length;
      if (!own) foreign.push(join(e.name, i.name));
    }
  }
  return foreign;
}

/** Marks the state folder as lab's once lab has written there (a refused command leaves an empty folder
 * empty). Also as lab makes an instance's folder: another command started meanwhile in the same new
 * folder (a workshop's, a test's side by side) then sees lab's mark, not a stranger's folder. */
export function markStateRoot(root = stateRoot()): void {
  try {
    if (readdirSync(root).length) writeFileSync(join(root, STATE_MARKER), '', { flag: 'wx' });
  } catch {} // none, marked already, or read-only: a mark is a courtesy, its shape still says it is lab's
}

/** Throws when the state folder cannot be lab's; returns a function that marks it as lab's once the
 * command has run, when it wrote there (or the folder has lab's shape). Creates nothing itself. */
export function verifyStateRoot(root = stateRoot()): () => void {
  const named = process.env.LAB_STATE_DIR ? `LAB_STATE_DIR=${process.env.LAB_STATE_DIR}` : 'the state folder';
  const real = realOf(root);
  const home = realOf(homedir());
  for (const path of new Set([root, real])) {
    const pseudo = PSEUDO.find((p) => path.startsWith(`${p}${sep}`));
    if (SYSTEM.has(path) || path === home || pseudo)
      throw new DefinitionError(
        `${named}: ${path} is ${path === home ? 'your home folder' : pseudo ? `inside ${pseudo}, a file system of the kernel's` : 'a folder of the system'}; lab keeps its state in a folder of its own and removes folders in it on lab down`,
        { code: 'state-root', details: [HINT] },
      );
  }
  const s = statOrNone(root);
  // once the command has written there: a refused command leaves an empty folder empty
  const mark = () => markStateRoot(root);
  if (!s) {
    if (statOrNone(root, lstatSync))
      // a link to nowhere: lab would create the folder it leads to
      throw new DefinitionError(`${named}: ${root} is a symbolic link to a missing folder`, {
        code: 'state-root',
        details: [HINT],
      });
    return mark;
  }
  if (!s.isDirectory())
    throw new PreflightError(
      `the state folder ${root} is ${s.isFile() ? 'a file' : 'a device, pipe or socket'}, not a folder`,
      {
        code: 'state-unwritable',
        details: ['Set LAB_STATE_DIR to a folder (default ~/.local/state/lab), or move the file away.'],
      },
    );
  let entries: Dirent[];
  try {
    entries = readdirSync(root, { withFileTypes: true });
  } catch {
    return () => {}; // unreadable: the command's own write or read says why, in the host's words
  }
  if (entries.some((e) => e.name === STATE_MARKER && e.isFile())) return () => {};
  const foreign = foreignAtTop(root, entries);
  if (foreign.length)
    throw new DefinitionError(
      `${named}: ${root} is not empty, and lab did not write it: it holds ${someNames(foreign)}, which lab never writes there`,
      {
        code: 'state-not-empty',
        details: [`lab writes, and on lab down removes, folders in its state folder. ${HINT}`],
      },
    );
  return mark;
}
