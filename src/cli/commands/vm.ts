// lab vm box build: the box --provider vagrant-host boots, built from Debian packages on this machine.
import { buildVmBox } from '../../providers/index.js';

export async function vmBoxBuild(opts: { force?: boolean; json?: boolean }): Promise<void> {
  const box = await buildVmBox({ force: opts.force, say: opts.json ? undefined : (l) => console.log(l) });
  if (opts.json) console.log(JSON.stringify({ ok: true, ...box }, null, 2));
  else if (box.built) console.log(`box ${box.name} built and added in ${box.seconds.toFixed(0)} s`);
}
