// lab vm box build: the box --provider vagrant-host boots, built from Debian packages on this machine.
// lab vm box prune: the boxes an older build left (a build that adds a new box prunes too).
import { buildVmBox, pruneVmBoxes } from '../../providers/index.js';

export async function vmBoxBuild(opts: { force?: boolean; json?: boolean }): Promise<void> {
  const box = await buildVmBox({ force: opts.force, say: opts.json ? undefined : (l) => console.log(l) });
  if (opts.json) console.log(JSON.stringify({ ok: true, ...box }, null, 2));
  else if (box.built) console.log(`box ${box.name} built and added in ${box.seconds.toFixed(0)} s`);
}

export async function vmBoxPrune(opts: { dryRun?: boolean; json?: boolean }): Promise<void> {
  const { boxes, lines } = await pruneVmBoxes({ dryRun: opts.dryRun });
  if (opts.json) console.log(JSON.stringify({ ok: true, dryRun: !!opts.dryRun, boxes }, null, 2));
  else console.log(lines.length ? lines.join('\n') : 'no old box to remove');
}
