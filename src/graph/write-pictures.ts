// npm run graphs: redraw every lab's labs/<lab>/topology.svg (a test fails when one is stale).
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openLab } from '../model/open.js';
import { LABS_DIR } from '../paths.js';
import { graphOf } from './index.js';

export const PICTURE = 'topology.svg';

/** Every lab folder under labs/ with its lab file. */
export function labFolders(): string[] {
  return readdirSync(LABS_DIR, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => join(LABS_DIR, d.name));
}

export async function pictureOf(folder: string): Promise<string> {
  return graphOf(openLab(join(folder, 'lab.yaml')).lab, 'svg');
}

// no top-level await: the lab command's bundle, which holds this file (nightly's PICTURE), is CommonJS
if (process.argv[1]?.endsWith('write-pictures.js'))
  void (async () => {
    for (const folder of labFolders()) {
      writeFileSync(join(folder, PICTURE), await pictureOf(folder));
      console.log(join(folder, PICTURE));
    }
  })();
