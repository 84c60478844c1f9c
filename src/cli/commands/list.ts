// lab list: the labs shipped under labs/, with what they are and their parameters.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { loadLab } from '../../model/load.js';
import { LABS_DIR } from '../../paths.js';
import { printable, printableLine } from '../../printable.js';

export async function list(opts: { json?: boolean }): Promise<void> {
  const labs = readdirSync(LABS_DIR, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => {
      const file = join(LABS_DIR, d.name, 'lab.yaml');
      const { raw, params } = loadLab(file);
      return {
        name: raw.name,
        description: raw.description,
        file,
        provider: raw.provider,
        params,
        nodes: Object.keys(raw.nodes).length,
      };
    });
  if (opts.json) {
    console.log(JSON.stringify(labs, null, 2));
    return;
  }
  for (const l of labs) {
    const params = Object.entries(l.params)
      .map(([k, v]) => `${k}=${v}`)
      .join(' ');
    console.log(
      `${l.name.padEnd(20)} ${printableLine(l.description)}${params ? `\n${''.padEnd(20)} parameters: ${printable(params)}` : ''}`,
    );
  }
}
