// The state journal: every resource is recorded before it is created, so teardown finds it even after a crash.
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import type { JournalWriter, Resource, ResourceUpdate as Update } from '../contracts/provider.js';

export class Journal implements JournalWriter {
  constructor(readonly file: string) {}

  /** Writes the intent before the resource exists. */
  record(resource: Resource): void {
    appendFileSync(this.file, `${JSON.stringify(resource)}\n`);
  }

  /** Adds what is known only after creation (a pid), or marks a resource gone. */
  update(update: Update): void {
    appendFileSync(this.file, `${JSON.stringify({ update })}\n`);
    if ('pid' in update && typeof update.pid === 'number') this.pids.set(update.id, update.pid);
  }

  /** Pids this run recorded, by resource id: read back without re-reading the file per node. */
  private readonly pids = new Map<string, number>();

  /** The pid of a process resource: recorded by this instance, else from the file. */
  pidOf(id: string): number | undefined {
    const known = this.pids.get(id);
    if (known) return known;
    const r = this.resources().find((x) => x.id === id);
    return r?.kind === 'process' ? r.pid : undefined;
  }

  /** Resources in creation order, with their updates merged; removed ones left out. */
  resources(): Resource[] {
    if (!existsSync(this.file)) return [];
    const byId = new Map<string, Resource & { removed?: boolean }>();
    for (const line of readFileSync(this.file, 'utf8').split('\n')) {
      if (!line.trim()) continue;
      let entry: Resource | { update: Update };
      try {
        entry = JSON.parse(line);
      } catch {
        continue; // a line cut short by a crash
      }
      if ('update' in entry) {
        const r = byId.get(entry.update.id);
        if (r) Object.assign(r, entry.update);
      } else byId.set(entry.id, { ...entry });
    }
    return [...byId.values()].filter((r) => !r.removed);
  }
}
