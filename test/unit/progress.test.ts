// The progress tree says what happened: a phase whose collected subtasks failed is not shown as passed.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Progress } from '../../src/engine/progress.js';

describe('progress', () => {
  afterEach(() => vi.restoreAllMocks());

  it('a phase with a failed subtask (errors collected) ends with ✖, and the run throws that failure', async () => {
    const lines: string[] = [];
    for (const stream of [process.stdout, process.stderr])
      vi.spyOn(stream, 'write').mockImplementation((s) => {
        lines.push(String(s));
        return true;
      });
    const boom = new Error('2 of 2 next hops; missing spine1');
    const run = new Progress('simple').run([
      {
        title: 'checks',
        collectErrors: true,
        sequential: true,
        subtasks: [
          { title: 'a', task: async () => Promise.reject(boom) },
          { title: 'b', task: async () => undefined },
        ],
      },
    ]);
    await expect(run).rejects.toBe(boom);
    const out = lines.join('');
    expect(out).toContain('✔ b');
    expect(out).toMatch(/✖ checks: 1 of 2 failed/);
    expect(out).not.toMatch(/✔ checks/);
  });
});
