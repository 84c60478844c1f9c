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

export function mountTable(): Mount[] {
  let info: string;
  try {
    info = readFileSync('/proc/self/mountinfo', 'utf8');
  } catch {
    return [];
  }
  return info.split('\n').flatMap((line) => {
    const [left, right] = line.split(' - ');
    const [fstype, source] = right?.split(' ') ?? [];
    const point = left?.split(' ')[4];
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
