// Before a timed run: the host settled. A `lab down` returns once its namespaces are deleted, but the
// kernel frees them afterwards in its own workers (180 namespaces after a 30-attendee workshop): a run
// started at once pays for the one before it.
import { readFileSync } from 'node:fs';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Busy and total jiffies of all CPUs (/proc/stat's first line). */
function cpuTimes(): { busy: number; total: number } {
  const f = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1, 9).map(Number);
  const total = f.reduce((a, b) => a + b, 0);
  return { busy: total - f[3] - f[4], total };
}

/** Waits until the CPUs are at least 90% idle over half a second (at most `maxMs`); the time waited. */
export async function settled(maxMs = 30_000): Promise<number> {
  const started = Date.now();
  while (Date.now() - started < maxMs) {
    const a = cpuTimes();
    await sleep(500);
    const b = cpuTimes();
    if (b.total > a.total && (b.busy - a.busy) / (b.total - a.total) <= 0.1) break;
  }
  return Date.now() - started;
}
