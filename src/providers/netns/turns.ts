// Turns for the nodes' boots: at most a few under way at once, the rest waiting in the lab's order.
// A thousand clos-fabric nodes booting at once (each copying a host mount table of 3000 entries, twice,
// under the kernel's one namespace lock) took 38 to 145 s and failed some at their time limit, the
// spines among the last while the leaves already up hammered them with connections; in turns, every
// boot has the CPU, the spines (first in the lab) boot first, and the leaves find them listening.

/** Runs each start() once a turn is free (lowest order first); done(key) frees that key's turn. */
export class Turns {
  private readonly running = new Set<string>();
  private readonly waiting: { key: string; order: number; start: () => void }[] = [];

  constructor(
    private readonly limit: number,
    /** Once aborted, whatever still waits starts at once (its start() then fails it) and frees its turn. */
    private readonly signal?: AbortSignal,
  ) {
    signal?.addEventListener('abort', () => this.next(), { once: true });
  }

  /** Adds starts in any order: they run in theirs. */
  add(items: { key: string; order: number; start: () => void }[]): void {
    this.waiting.push(...items);
    this.waiting.sort((a, b) => a.order - b.order);
    this.next();
  }

  /** The key's boot said ready or will never say it: its turn goes to the next. */
  done(key: string): void {
    if (this.running.delete(key)) this.next();
  }

  get underWay(): number {
    return this.running.size;
  }

  private next(): void {
    while (this.waiting.length && (this.running.size < this.limit || this.signal?.aborted)) {
      const w = this.waiting.shift()!;
      if (!this.signal?.aborted) this.running.add(w.key);
      w.start();
    }
  }
}
