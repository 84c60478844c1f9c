// gc: what crashed runs left. Instances whose `lab up` died while starting are torn down from their
// journals; then each provider names what it finds on the host that no live instance's journal lists.

import type { Orphan } from '../contracts/provider.js';
import { allProviders, DEFAULT_PROVIDER, providerOf } from '../providers/index.js';
import { destroyInstance } from './down.js';
import { damagedInstances, knownInstances } from './host-instances.js';
import { isCrashed } from './instances.js';
import { removeStaleLocks } from './lock.js';
import { journalOf } from './state.js';

export interface Garbage {
  instances: string[];
  /** lab.instance of each lock file whose owner died (a SIGKILLed lab up). */
  locks: string[];
  orphans: (Orphan & { provider: string })[];
}

export async function collectGarbage(opts: { dryRun?: boolean } = {}): Promise<Garbage> {
  // this state folder's instances, and every other one the host lists
  const instances = knownInstances();
  // starting or stopping, and the process doing it is gone (a live `lab up` or `lab down` is not a crash)
  const crashed = instances.filter(isCrashed);
  // one instance that cannot be removed (its folder read-only) does not stop the others: said after
  let failure: unknown;
  if (!opts.dryRun) for (const i of crashed) await destroyInstance(i.dir, i).catch((e) => (failure ??= e));

  const live = instances.filter((i) => !crashed.includes(i));
  const owned = await ownedNames(live);
  const orphans: Garbage['orphans'] = [];
  for (const provider of await allProviders()) {
    const candidates = await provider.findOrphans(owned);
    // a lab up that listed itself after the look above may have made its namespaces since: everything on
    // the host is looked at before this second look (up registers before it makes anything), so what
    // it names now is a live instance's, not an orphan (a gc beside the soak took a new instance's
    // namespaces between its network and its boot)
    const now = await ownedNames(knownInstances().filter((i) => !isCrashed(i)));
    const found = candidates.filter((o) => !now.has(o.name));
    if (!opts.dryRun) await provider.removeOrphans(found);
    orphans.push(...found.map((o) => ({ ...o, provider: provider.name })));
  }
  // last: destroying a crashed instance takes and releases its lock, which removes a stale one too
  const locks = removeStaleLocks(opts.dryRun);
  if (failure) throw failure;
  return { instances: crashed.map((i) => i.id), orphans, locks };
}

/** The names live instances hold: every named resource of their journals, and whatever their own
 * names find on the host. */
async function ownedNames(live: ReturnType<typeof knownInstances>): Promise<Set<string>> {
  const owned = new Set(
    live.flatMap((i) =>
      journalOf(i.dir)
        .resources()
        // named resources: a process is no name on the host, a mount or project a path
        .flatMap((r) => ('name' in r && r.kind !== 'process' ? [r.name] : [])),
    ),
  );
  // a live instance's own names are its, whatever its journal says: an emptied or damaged journal (or
  // instance.json) made gc take a running lab for orphans and tear it down
  const named = [
    ...live.map((i) => ({ lab: i.lab, instance: i.instance, provider: i.provider })),
    ...damagedInstances().map((d) => ({ ...d, provider: DEFAULT_PROVIDER })),
  ];
  for (const i of named) {
    const provider = await providerOf(i.provider ?? DEFAULT_PROVIDER);
    for (const f of (await provider.findInstance?.(i.lab, i.instance)) ?? [])
      if (f.kind !== 'process') owned.add(f.name);
  }
  return owned;
}
