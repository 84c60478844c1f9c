// Where lab writes what a person asked for (render -o, nightly --report, graph -o): never `/`, never a
// non-empty folder lab did not write, never through a symbolic link, with errors that name the flag.
import {
  closeSync,
  constants,
  existsSync,
  fstatSync,
  lstatSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  realpathSync,
  renameSync,
  rmdirSync,
  type Stats,
  statSync,
  unlinkSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { basename, dirname, isAbsolute, join, normalize, resolve, sep } from 'node:path';
import { DefinitionError, hostWriteError, LabError, type PreflightError } from '../errors.js';
import { makeFolders, realCause } from './fs.js';

/** Marks a folder lab wrote, and lists what it wrote there (the next render removes what it no longer
 * writes). The name predates reports: kept so that folders rendered earlier stay lab's. */
export const OUTPUT_MARKER = '.lab-rendered';

/** Who asked for the place: named in every error, so that the fix is at hand. */
export interface OutputTarget {
  /** What is written, as in "cannot write the rendered files into DIR". */
  what: string;
  /** The flag that named the place ('-o', '--report'); none when it is the state folder's default. */
  flag?: string;
}

function unwritable(target: OutputTarget, path: string, cause: unknown, why?: string): PreflightError {
  return hostWriteError(
    target.what,
    path,
    cause,
    target.flag
      ? {
          code: 'output-unwritable',
          hint: `Give ${target.flag} a place this user can write.`,
          why,
        }
      : why
        ? { code: 'state-unwritable', hint: STATE_HINT, why }
        : undefined,
  );
}

/** Makes FOLDER and its parents, or says why it cannot in the target's own words. */
function makeFoldersFor(target: OutputTarget, folder: string): void {
  try {
    makeFolders(folder);
  } catch (e) {
    throw unwritable(target, folder, realCause(folder, e));
  }
}

const STATE_HINT =
  'Set LAB_STATE_DIR to a writable folder (default ~/.local/state/lab), or fix the permissions.';

/** A file, device or pipe where a folder should be. */
const notAFolder = (target: OutputTarget, path: string, s: Stats) =>
  unwritable(target, path, undefined, `is ${kindOf(s)}, not a folder`);

function refused(message: string, code: string, hint: string): DefinitionError {
  return new DefinitionError(message, { code, details: [hint] });
}

const lstatOrNone = (path: string): Stats | undefined => {
  try {
    return lstatSync(path);
  } catch {
    return undefined;
  }
};

const kindOf = (s: Stats) =>
  s.isCharacterDevice() || s.isBlockDevice()
    ? 'a device'
    : s.isFIFO()
      ? 'a named pipe'
      : s.isSocket()
        ? 'a socket'
        : 'a file';

/** A path relative to the folder that stays inside it, or undefined (absolute, `..`, empty). */
function insidePath(rel: string): string | undefined {
  const n = normalize(rel);
  if (!rel || isAbsolute(rel) || n === '.' || n === '..' || n.startsWith(`..${sep}`)) return undefined;
  return n;
}

/** Runs a write, turning the host's errno into exit 3 and keeping lab's own refusals. */
function guarded<T>(target: OutputTarget, path: string, write: () => T): T {
  try {
    return write();
  } catch (e) {
    if (e instanceof LabError) throw e;
    throw unwritable(target, path, e);
  }
}

/** Makes dir (and its parents) if missing and claims it for lab: refuses `/`, anything but a folder,
 * and a non-empty folder without lab's marker. Returns its real path, which every later write uses. */
export function claimOutputFolder(dir: string, target: OutputTarget): string {
  const given = resolve(dir);
  const flag = target.flag ? `${target.flag} ${dir}` : given;
  const first = lstatOrNone(given);
  let real = first ? guarded(target, given, () => realpathSync(given)) : undefined;
  if (given === sep || real === sep)
    throw refused(
      `${flag}: lab does not write into /`,
      'output-root',
      `Give ${target.flag ?? 'it'} a new or empty folder.`,
    );
  if (real) {
    const s = guarded(target, given, () => statSync(real as string));
    if (!s.isDirectory()) throw notAFolder(target, given, s);
  } else {
    makeFoldersFor(target, given);
    real = guarded(target, given, () => realpathSync(given));
  }
  const marker = lstatOrNone(join(real, OUTPUT_MARKER));
  if (!marker?.isFile()) {
    if (guarded(target, given, () => readdirSync(real)).length)
      throw refused(
        `${flag} is not empty, and lab did not write it`,
        'output-not-empty',
        `Give ${target.flag ?? 'it'} a new or empty folder: lab does not mix its files with others, nor empty a folder it did not write.`,
      );
    guarded(target, given, () => writeFileSync(join(real, OUTPUT_MARKER), '', { flag: 'wx' }));
  }
  return real;
}

/** The folders of rel under root, made one by one; a link or a file on the way is refused. */
function foldersInside(root: string, rel: string, target: OutputTarget): void {
  let at = root;
  for (const part of rel.split(sep).filter(Boolean)) {
    at = join(at, part);
    const s = lstatOrNone(at);
    if (s?.isSymbolicLink())
      throw refused(
        `${at} is a symbolic link: lab does not write through links in its output folder`,
        'output-symlink',
        'Remove the link, or give a new folder.',
      );
    if (s && !s.isDirectory()) throw notAFolder(target, at, s);
    if (!s) guarded(target, at, () => mkdirSync(at));
  }
}

/** Makes the folder rel inside root (a claimed folder) and returns its path. */
export function makeFolderInside(root: string, rel: string, target: OutputTarget): string {
  const inside = insidePath(rel);
  if (!inside) throw new Error(`${rel} is not a path inside ${root}`);
  foldersInside(root, inside, target);
  return join(root, inside);
}

/** Writes root/rel as a new file: an old one is unlinked first, so that neither a link nor a second
 * hard link at its place carries the write out of the folder. */
export function writeInside(
  root: string,
  rel: string,
  content: string | Buffer,
  target: OutputTarget,
  mode = 0o644,
): string {
  const inside = insidePath(rel);
  if (!inside) throw new Error(`${rel} is not a path inside ${root}`);
  foldersInside(root, dirname(inside), target);
  const path = join(root, inside);
  return guarded(target, path, () => {
    const old = lstatOrNone(path);
    if (old?.isDirectory()) throw unwritable(target, path, undefined, 'is a folder where a file goes');
    if (old) unlinkSync(path);
    const fd = openSync(
      path,
      constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW,
      mode,
    );
    try {
      writeSync(fd, typeof content === 'string' ? Buffer.from(content) : content);
    } finally {
      closeSync(fd);
    }
    return path;
  });
}

/** Removes root/rel when it is a file reached without a link, then its folders left empty. */
function removeInside(root: string, rel: string): void {
  const inside = insidePath(rel);
  if (!inside || basename(inside) === OUTPUT_MARKER) return;
  // every folder on the way must be a real one: a link there would carry the removal out
  let at = root;
  for (const part of dirname(inside)
    .split(sep)
    .filter((p) => p && p !== '.')) {
    at = join(at, part);
    if (!lstatOrNone(at)?.isDirectory()) return;
  }
  const path = join(root, inside);
  const s = lstatOrNone(path);
  if (!s || s.isDirectory()) return;
  unlinkSync(path); // a file, or a link itself (never what it points to)
  for (let d = dirname(path); d.startsWith(`${root}${sep}`); d = dirname(d)) {
    if (readdirSync(d).length) break;
    rmdirSync(d);
  }
}

function readManifest(root: string): string[] {
  try {
    const fd = openSync(join(root, OUTPUT_MARKER), constants.O_RDONLY | constants.O_NOFOLLOW);
    try {
      return readFileSync(fd, 'utf8').split('\n').filter(Boolean);
    } finally {
      closeSync(fd);
    }
  } catch {
    return [];
  }
}

/** One file of a tree written by writeTree. */
export interface OutputFile {
  path: string;
  content: string;
  mode?: number;
}

/** Writes a whole tree into dir (claimed as above): afterwards it holds exactly these files and the
 * marker; files an earlier write listed and this one does not are removed. Returns the paths written,
 * under dir as given. */
export function writeTree(dir: string, files: OutputFile[], target: OutputTarget): string[] {
  const root = claimOutputFolder(dir, target);
  const before = readManifest(root);
  const now = files.map((f) => {
    const rel = insidePath(f.path);
    if (!rel) throw new Error(`${f.path}: a rendered file must lie inside its folder`);
    return rel;
  });
  const manifest = (list: string[]) =>
    writeInside(root, OUTPUT_MARKER, `${[...new Set(list)].join('\n')}\n`, target);
  // a run stopped half way still knows every file it may have left
  manifest([...before, ...now]);
  files.forEach((f, i) => {
    writeInside(root, now[i] as string, f.content, target, f.mode ?? 0o644);
  });
  const keep = new Set(now);
  for (const old of before) {
    if (keep.has(normalize(old))) continue;
    guarded(target, join(root, old), () => removeInside(root, old));
  }
  manifest(now);
  const shown = resolve(dir);
  return now.map((rel) => join(shown, rel));
}

/** Writes one file a person named (graph -o): a folder or `/` is refused, a link that leaves the
 * file's folder is refused, a named pipe or a character device (/dev/null) is written as a stream,
 * and a regular file is replaced whole (written beside it, then renamed over it). */
export function writeOutputFile(file: string, content: string, target: OutputTarget): string {
  const given = resolve(file);
  const flag = `${target.flag ?? ''} ${file}`.trim();
  const s = lstatOrNone(given);
  if (given === sep || (s && existsSync(given) && statSync(given).isDirectory()))
    throw refused(
      `${flag} is a folder: give the path of a file`,
      'output-not-file',
      'For example -o topology.svg.',
    );
  const folder = dirname(given);
  makeFoldersFor(target, folder);
  const realFolder = guarded(target, folder, () => realpathSync(folder));
  if (s?.isSymbolicLink()) {
    let real: string | undefined;
    try {
      real = realpathSync(given);
    } catch {
      real = undefined;
    }
    if (!real || dirname(real) !== realFolder)
      throw refused(
        `${flag} is a symbolic link leading out of its folder${real ? ` (to ${real})` : ''}: lab does not write through it`,
        'output-symlink',
        'Remove the link, or give another path.',
      );
    return writeOutputFile(real, content, target);
  }
  if (s && (s.isFIFO() || s.isCharacterDevice())) {
    guarded(target, given, () => writeFileSync(given, content));
    return given;
  }
  if (s && !s.isFile())
    throw refused(
      `${flag} is ${kindOf(s)}: give the path of a file`,
      'output-not-file',
      'For example -o topology.svg.',
    );
  const temporary = join(realFolder, `.${basename(given)}.${process.pid}.tmp`);
  return guarded(target, given, () => {
    try {
      writeFileSync(temporary, content, { flag: 'wx', mode: 0o644 });
      renameSync(temporary, join(realFolder, basename(given)));
    } catch (e) {
      if (lstatOrNone(temporary)) unlinkSync(temporary);
      throw e;
    }
    return given;
  });
}

/** A file lab appends to across runs (nightly --history): checked before the hours of work, then opened
 * without following links each time, so that a link put there meanwhile is refused, not written through. */
export function claimAppendFile(file: string, target: OutputTarget): string {
  const given = resolve(file);
  const flag = `${target.flag ?? ''} ${file}`.trim();
  const s = lstatOrNone(given);
  if (s?.isSymbolicLink())
    throw refused(
      `${flag} is a symbolic link: lab appends only to a plain file it can see`,
      'output-symlink',
      'Remove the link, or give the path of the file itself.',
    );
  if (given === sep || (s && !s.isFile()))
    throw refused(
      `${flag} is ${s ? kindOf(s) : 'the root folder'}: give the path of a file`,
      'output-not-file',
      'For example --history reports/history.jsonl.',
    );
  makeFoldersFor(target, dirname(given));
  return given;
}

export function appendOutputFile(file: string, text: string, target: OutputTarget): void {
  guarded(target, file, () => {
    const fd = openSync(
      file,
      constants.O_WRONLY |
        constants.O_APPEND |
        constants.O_CREAT |
        constants.O_NOFOLLOW |
        constants.O_NONBLOCK,
      0o644,
    );
    try {
      if (!fstatSync(fd).isFile()) throw Object.assign(new Error('not a plain file'), { code: 'EINVAL' });
      writeSync(fd, text);
    } finally {
      closeSync(fd);
    }
  });
}
