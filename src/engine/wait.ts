// Waiting: poll fast at first, then back off, until it passes, the deadline passes, or we are aborted.

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    const done = () => {
      clearTimeout(t);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const t = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });

export interface Polled<T> {
  ok: boolean;
  value: T;
  attempts: number;
  waitedMs: number;
}

/** Calls `attempt` until it reports ok or `timeoutMs` passes: 20 ms between tries at first, at most 50 ms
 * for the first 5 s (a demo converges then, and a try costs a few ms), then up to 500 ms. */
export async function poll<T>(
  attempt: () => Promise<{ ok: boolean; value: T }>,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<Polled<T>> {
  const started = Date.now();
  let delay = 20;
  for (let attempts = 1; ; attempts++) {
    const r = await attempt();
    const waitedMs = Date.now() - started;
    if (r.ok || waitedMs >= timeoutMs || signal?.aborted) return { ...r, attempts, waitedMs };
    await sleep(Math.min(delay, timeoutMs - waitedMs), signal);
    delay = Math.min(delay * 1.5, waitedMs < 5000 ? 50 : 500);
  }
}
