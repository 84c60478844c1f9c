// lab down: idempotent; says what it removed, and what it found beyond the journal.
import { labDown } from '../../engine/down.js';
import { DefinitionError } from '../../errors.js';
import { labNameOf } from '../lab-name.js';

export async function down(
  ref: string,
  opts: { instance: string; instances?: string; prefix?: string; parallel?: string; json?: boolean },
): Promise<void> {
  if (opts.instances !== undefined && opts.json)
    throw new DefinitionError('--json is for one instance: without --instances');
  if (opts.instances !== undefined)
    return (await import('./workshop.js')).downWorkshop(ref, { ...opts, instances: opts.instances });
  if (opts.prefix || opts.parallel)
    throw new DefinitionError('--prefix and --parallel name a workshop: add --instances N');
  const { lab, instance } = await labNameOf(ref, opts.instance);
  const { removed, ms, beyondJournal, stopped } = await labDown(lab, instance);
  if (opts.json) {
    console.log(
      JSON.stringify(
        {
          ok: true,
          lab,
          instance,
          removed,
          ms,
          beyondJournal,
          ...(stopped ? { stopped: { command: stopped.command, pid: stopped.pid } } : {}),
        },
        null,
        2,
      ),
    );
    return;
  }
  if (stopped) console.log(`stopped lab ${stopped.command} (pid ${stopped.pid}), which was working on it`);
  const extra = Object.entries(beyondJournal).map(
    ([kind, n]) => `${n} ${kind}${n === 1 ? '' : 'es'.slice(kind.endsWith('s') ? 0 : 1)}`,
  );
  if (extra.length) console.log(`found on the host beyond its journal, by name: ${extra.join(', ')}`);
  console.log(
    removed
      ? `${lab} (instance ${instance}) removed in ${(ms / 1000).toFixed(2)} s`
      : `${lab} (instance ${instance}) is not up: nothing to remove`,
  );
}
