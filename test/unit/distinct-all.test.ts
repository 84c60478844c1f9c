// `distinct: { min: all, of: worker }`: one dead backend of three fails the spread check, by name;
// `min: 2` let "2 distinct answers over 20" pass with worker3 dead.
import { describe, expect, it } from 'vitest';
import { judge } from '../../src/engine/judges.js';
import { loadLab } from '../../src/model/load.js';
import { resolveLab } from '../../src/model/resolve.js';
import { labFile } from '../helpers/labs.js';

const { lab } = resolveLab(loadLab(labFile('bgp-metallb')));
const spread = lab.checks.find((c) => c.name === 'load-is-spread')!;
const answers = (names: string[]) => [
  {
    node: 'client',
    command: spread.run,
    exitCode: 0,
    stdout: `${Array.from({ length: 20 }, (_, i) => names[i % names.length]).join('\n')}\n`,
    stderr: '',
    durationMs: 5,
    timedOut: false,
  },
];

describe('distinct with min: all', () => {
  const all = { ...spread, expect: { distinct: { min: 'all' as const, of: 'worker' } } };

  it('fails naming the backend that never answered', () => {
    const v = judge(lab, all, answers(['worker1', 'worker2']));
    expect(v).toMatchObject({ ok: false });
    expect(!v.ok && v.reason).toMatch(/1 of 3 did not answer: worker3/);
  });

  it('a run that timed out on some connections still counts those that answered (curl --parallel exits 28)', () => {
    // worker2 and worker3 unreachable: curl printed worker1's answers and exited 28; the verdict said
    // "3 of 3 did not answer: worker1, ..." over output full of worker1
    const partial = [
      {
        ...answers(['worker1'])[0],
        exitCode: 28,
        stderr: 'curl: (28) Connection timed out after 2001 milliseconds\n',
      },
    ];
    const v = judge(lab, all, partial);
    expect(!v.ok && v.reason).toMatch(
      /^2 of 3 did not answer: worker2, worker3 \(answers: worker1\); 1 of 1 runs failed \(curl: \(28\)/,
    );
  });

  it('passes when every backend answered', () => {
    expect(judge(lab, all, answers(['worker1', 'worker2', 'worker3'])).ok).toBe(true);
  });

  it('the shipped check asks every worker: a dead one fails it (min: 2 let it pass)', () => {
    expect(spread.expect).toEqual({ distinct: { min: 'all', of: 'worker' } });
    expect(judge(lab, spread, answers(['worker1', 'worker2'])).ok).toBe(false);
    const two = { ...spread, expect: { distinct: { min: 2 } } };
    expect(judge(lab, two, answers(['worker1', 'worker2'])).ok).toBe(true);
  });
});
