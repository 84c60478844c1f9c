// Made-up nightly runs of the shape `lab nightly` writes: the bench opens a report of 30 nights × 4
// labs in Chromium, and the report tests use them where a live run would prove nothing more.
import type { CycleResult, LabResult, NightlyResults, Phase } from '../report/results.js';
import { RESULTS_SCHEMA } from '../report/results.js';

const LABS = [
  { lab: 'bgp-metallb', nodes: ['router', 'master', 'worker1', 'worker2', 'worker3', 'client'], checks: 4 },
  {
    lab: 'multi-coe-calico',
    nodes: ['rr', 'k8s-controller', 'k8s-worker1', 'k8s-worker2', 'dcos-master'],
    checks: 5,
  },
  { lab: 'tf-multicluster', nodes: ['a-master', 'a-worker1', 'b-master', 'b-worker1'], checks: 3 },
  {
    lab: 'cilium-clustermesh',
    nodes: ['c1-cp', 'c1-worker', 'c2-cp', 'c2-worker', 'c3-cp', 'c3-worker'],
    checks: 4,
  },
];

function cycleOf(spec: (typeof LABS)[number], night: number, slow: number, failing: boolean): CycleResult {
  const phases: Phase[] = [{ kind: 'network', startMs: 0, ms: 120 * slow, ok: true }];
  spec.nodes.forEach((node, i) => {
    phases.push({ kind: 'boot', node, startMs: 130 + i * 8, ms: 90 * slow, ok: true });
    phases.push({ kind: 'roles', node, startMs: 230 + i * 8, ms: 70 * slow, ok: true });
    phases.push({ kind: 'ssh', node, startMs: 230 + i * 8, ms: 60, ok: true });
  });
  let t = 400 * slow;
  const checks = Array.from({ length: spec.checks }, (_, i) => {
    const ok = !(failing && i === spec.checks - 1);
    const waitedMs = i === 0 ? Math.round(700 * slow) : 20 + (night % 5);
    phases.push({ kind: 'check', node: spec.nodes[0], name: `check-${i + 1}`, startMs: t, ms: waitedMs, ok });
    t += waitedMs;
    return {
      name: `check-${i + 1}`,
      node: spec.nodes[0],
      command: `birdc show protocols # ${i + 1}`,
      ok,
      attempts: ok ? 3 : 40,
      waitedMs,
      ...(ok ? { detail: '3 sessions Established' } : { reason: 'worker3: session Active, not Established' }),
      output: `BIRD 2.0.12 ready.\nbgp_worker1 BGP --- up Established\nbgp_worker3 BGP --- start Active <${night}>`,
    };
  });
  phases.push({ kind: 'teardown', startMs: t + 10, ms: 180, ok: true });
  return {
    cycle: 1,
    instance: 'nightly',
    ok: !failing,
    up: failing
      ? { ok: false, ms: t, exitCode: 5, error: '1 of 4 checks failed' }
      : { ok: true, ms: t, exitCode: 0 },
    checks,
    down: { ok: true, ms: 180 },
    leaks: [],
    phases,
    triage: failing
      ? [{ node: spec.nodes[0], file: `labs/${spec.lab}/cycle-1/triage/${spec.nodes[0]}/triage.txt` }]
      : [],
  };
}

/** Night `night` (0 = the first): every fifth night one lab fails; up time wanders a little. */
export function sampleNight(night: number, opts: { slowLab?: string } = {}): NightlyResults {
  const start = Date.UTC(2026, 0, 1, 2) + night * 86_400_000;
  const labs: LabResult[] = LABS.map((spec, i) => {
    const failing = night % 5 === 4 && i === night % LABS.length;
    const slow = (1 + ((night * 7 + i * 3) % 10) / 50) * (opts.slowLab === spec.lab ? 2 : 1);
    return {
      lab: spec.lab,
      status: failing ? 'failed' : 'passed',
      nodes: spec.nodes.length,
      checks: Array.from({ length: spec.checks }, (_, k) => ({
        name: `check-${k + 1}`,
        node: spec.nodes[0],
        command: `birdc show protocols # ${k + 1}`,
      })),
      cycles: [cycleOf(spec, night, slow, failing)],
      topology: `<svg xmlns="http://www.w3.org/2000/svg" width="200" height="60"><title>${spec.lab}</title><rect x="5" y="5" width="190" height="50" fill="#eef4fb" stroke="#4a6fa5"/><text x="100" y="35" text-anchor="middle">${spec.lab}</text></svg>`,
    };
  });
  return {
    schema: RESULTS_SCHEMA,
    startedAt: new Date(start).toISOString(),
    finishedAt: new Date(start + 20_000).toISOString(),
    host: 'ci-runner',
    cycles: 1,
    ok: labs.every((l) => l.status === 'passed'),
    labs,
    regressions: [],
    thresholds: { ratio: 1.5, minExtraMs: 200, window: 7 },
  };
}
