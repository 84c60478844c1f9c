// lab gc: remove what crashed runs left behind.
import { collectGarbage } from '../../engine/gc.js';

export async function gc(opts: { dryRun?: boolean; json?: boolean }): Promise<void> {
  const g = await collectGarbage(opts);
  if (opts.json) {
    const orphans = g.orphans.map((o) => ({ kind: o.kind, name: o.name, provider: o.provider }));
    console.log(JSON.stringify({ ok: true, dryRun: !!opts.dryRun, ...g, orphans }, null, 2));
    return;
  }
  const verb = opts.dryRun ? 'would remove' : 'removed';
  const lines = [
    ...g.instances.map((i) => `${verb} crashed instance ${i}`),
    ...g.orphans.map((o) => `${verb} orphaned ${o.kind} ${o.name}`),
    ...g.locks.map((l) => `${verb} the stale lock of ${l} (its lab command died)`),
  ];
  console.log(lines.length ? lines.join('\n') : 'nothing to collect');
}
