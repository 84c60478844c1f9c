// A JSON-lines file (events, nightly history): one value per line; a line cut by a crash is passed over.
import { existsSync, readFileSync } from 'node:fs';

export function readJsonLines(file: string): unknown[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .flatMap((l) => {
      try {
        return [JSON.parse(l)];
      } catch {
        return [];
      }
    });
}
