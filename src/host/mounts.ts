// The host's mount table, as /proc/self/mountinfo says it (paths unescaped).
import { readFileSync } from 'node:fs';

export interface Mount {
  point: string;
  fstype: string;
  source: string;
}

/** mountinfo's escapes of a path (space, tab, newline, backslash). */
const unescapeOctal = (s: string) =>
  s.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(Number.parseInt(o, 8)));

/** The mount table; with `of`, only the mounts of that file system type and source (the others are
 * not parsed: a workshop's host holds hundreds of its nodes' mounts, and this is read per instance). */
export function mountTable(of?: { fstype: string; source: string }): Mount[] {
  let info: string;
  try {
    info = readFileSync('/proc/self/mountinfo', 'utf8');
  } catch {
    return [];
  }
  const marker = of && ` - ${of.fstype} ${of.source} `;
  return info.split('\n').flatMap((line) => {
    if (marker && !line.includes(marker)) return [];
    const [left, right] = line.split(' - ');
    const [fstype, source] = right?.split(' ') ?? [];
    const point = left?.split(' ')[4];
    if (of && (fstype !== of.fstype || source !== of.source)) return [];
    return point && fstype ? [{ point: unescapeOctal(point), fstype, source: source ?? '' }] : [];
  });
}

/** Mount points inside a folder, deepest first. */
export function mountsUnder(dir: string): string[] {
  const base = dir.endsWith('/') ? dir : `${dir}/`;
  return mountTable()
    .map((m) => m.point)
    .filter((p) => p.startsWith(base))
    .sort((a, b) => b.length - a.length);
}
