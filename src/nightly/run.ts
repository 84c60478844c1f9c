// lab nightly: every lab that runs on this host's providers, N cycles each, labs side by side where
// the host has the cores; one failing lab does not stop the others.

import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { availableParallelism, hostname } from 'node:os';
import { join } from 'node:path';
import type { Lab } from '../core/lab.js';
import { commandsOf } from '../engine/checks.js';
import { gatherHostFacts } from '../engine/host-facts.js';
import { type OpenedLab, verifyEmulated } from '../engine/up.js';
import { LabError } from '../errors.js';
import { graphOf } from '../graph/index.js';
import { PICTURE } from '../graph/write-pictures.js';
import type { HostFacts } from '../lint/index.js';
import { openLab } from '../model/open.js';
import { LABS_DIR, labFileOf } from '../paths.js';
import { providerOf } from '../providers/index.js';
import type { CycleResult, LabResult, NightlyResults } from '../report/results.js';
import { RESULTS_SCHEMA } from '../report/results.js';
import { runCycle } from './cycle.js';

export interface NightlyOptions {
  /** lab names or files; none: every lab under labs/ */
  labs: string[];
  cycles: number;
  reportDir: string;
  /** the instance every cycle uses (its own name, beside people's default instances) */
  instance: string;
  parallel?: number;
  set?: string[];
  signal?: AbortSignal;
  /** one line per cycle, for the terminal or the CI log */
  say?: (line: string) => void;
}

/** Half the cores, at least one: two labs booting on two cores would fight over their checks' waits. */
export const defaultParallelism = () => Math.max(1, Math.floor(availableParallelism() / 2));

interface Planned {
  ref: string;
  file?: string;
  lab?: Lab;
  /** what lab up is given: the lab is opened, resolved and linted once, here */
  opened?: OpenedLab;
  /** skipped: cannot run here (said why); failed: asked for and broken */
  verdict?: { status: 'skipped' | 'failed'; reason: string };
}

const reasonOf = (e: unknown) =>
  [(e as Error).message, ...(e instanceof LabError ? e.details : [])].join(' ').replace(/\s+/g, ' ').trim();

async function plan(opts: NightlyOptions): Promise<Planned[]> {
  const host = await gatherHostFacts();
  const asked = opts.labs.length > 0;
  const refs = asked
    ? opts.labs
    : readdirSync(LABS_DIR, { withFileTypes: true })
        .filter((d) => d.isDirectory())
        .map((d) => d.name)
        .sort();
  const planned: Planned[] = [];
  for (const ref of refs) planned.push(await planOne(ref, asked, host, opts));
  return planned;
}

async function planOne(ref: string, asked: boolean, host: HostFacts, opts: NightlyOptions): Promise<Planned> {
  {
    let file: string;
    let opened: OpenedLab;
    try {
      file = labFileOf(ref);
      const { lab, allowed } = openLab(file, opts.set ?? [], host);
      opened = { lab, allowed, host };
    } catch (e) {
      return { ref, verdict: { status: 'failed', reason: reasonOf(e) } };
    }
    const { lab } = opened;
    try {
      const provider = await providerOf(lab.provider);
      await provider.verifyHost(lab);
      verifyEmulated(lab);
    } catch (e) {
      // a lab this host cannot run: skipped when the run takes every lab, a failure when asked for
      return { ref, file, lab, verdict: { status: asked ? 'failed' : 'skipped', reason: reasonOf(e) } };
    }
    return { ref, file, lab, opened };
  }
}

/** A shipped lab with its defaults has its picture committed (a test keeps it fresh): loading Graphviz's
 * WebAssembly costs most of a second, so only other labs or parameters are drawn. */
async function topologyOf(lab: Lab, sets: string[]): Promise<string | undefined> {
  const committed = join(LABS_DIR, lab.name, PICTURE);
  if (!sets.length && lab.file === join(LABS_DIR, lab.name, 'lab.yaml') && existsSync(committed))
    return readFileSync(committed, 'utf8');
  return graphOf(lab, 'svg').catch(() => undefined);
}

async function runLab(p: Planned, opts: NightlyOptions): Promise<LabResult> {
  const name = p.lab?.name ?? p.ref;
  const topology = p.lab ? await topologyOf(p.lab, opts.set ?? []) : undefined;
  const base = {
    lab: name,
    nodes: p.lab?.nodes.length ?? 0,
    checks: (p.lab?.checks ?? []).map((c) => ({
      name: c.name,
      node: c.node,
      command: commandsOf(c, p.lab)[0],
    })),
    ...(topology ? { topology } : {}),
  };
  if (p.verdict) {
    opts.say?.(`${name}: ${p.verdict.status}: ${p.verdict.reason}`);
    return { ...base, status: p.verdict.status, reason: p.verdict.reason, cycles: [] };
  }
  const cycles: CycleResult[] = [];
  for (let cycle = 1; cycle <= opts.cycles; cycle++) {
    if (opts.signal?.aborted) break;
    const c = await runCycle({
      opened: p.opened!,
      file: p.file!,
      sets: opts.set ?? [],
      instance: opts.instance,
      cycle,
      reportDir: opts.reportDir,
      signal: opts.signal,
    });
    cycles.push(c);
    opts.say?.(describeCycle(name, c, opts.cycles));
  }
  return { ...base, status: cycles.length && cycles.every((c) => c.ok) ? 'passed' : 'failed', cycles };
}

export function describeCycle(lab: string, c: CycleResult, of: number): string {
  const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
  const passed = c.checks.filter((x) => x.ok).length;
  const parts = [
    c.up.ok ? `up ${s(c.up.ms)}` : `up failed (exit ${c.up.exitCode}) after ${s(c.up.ms)}`,
    `${passed}/${c.checks.length} checks`,
    c.down.ok ? `down ${s(c.down.ms)}` : `down failed: ${c.down.error}`,
    c.leaks.length ? `LEAKS: ${c.leaks.map((l) => `${l.kind} ${l.what}`).join(', ')}` : 'nothing left',
  ];
  const declared = c.failures ?? [];
  if (declared.length)
    parts.splice(
      2,
      0,
      `${declared.filter((f) => f.ok).length}/${declared.length} declared failures${c.recovery ? (c.recovery.ok ? ', recovered' : ', NOT recovered') : ''}`,
    );
  const failed = c.checks.filter((x) => !x.ok).map((x) => `  ✖ ${x.name} on ${x.node}: ${x.reason}`);
  for (const f of declared.filter((x) => !x.ok)) {
    if (f.error) failed.push(`  ✖ declared failure ${f.step}: ${f.error.split('\n')[0]}`);
    for (const k of f.checks.filter((x) => !x.ok))
      failed.push(
        `  ✖ declared failure ${f.step}: ${k.name} on ${k.node} ${k.broken ? 'still passes: the step did not break it' : `fails: ${k.reason}`}`,
      );
  }
  for (const k of c.recovery?.checks.filter((x) => !x.ok) ?? [])
    failed.push(`  ✖ not recovered after the declared failures: ${k.name} on ${k.node}: ${k.reason}`);
  if (!c.up.ok && !failed.length) failed.push(`  ✖ ${(c.up.error ?? '').split('\n')[0]}`);
  const triage = c.triage.map((t) => `  triage: ${t.file}`);
  return [
    `${c.ok ? '✔' : '✖'} ${lab} cycle ${c.cycle}/${of}: ${parts.join(', ')}`,
    ...failed,
    ...triage,
  ].join('\n');
}

export async function runNightly(opts: NightlyOptions): Promise<NightlyResults> {
  const startedAt = new Date().toISOString();
  const planned = await plan(opts);
  const results: LabResult[] = new Array(planned.length);
  let next = 0;
  const worker = async () => {
    while (next < planned.length) {
      const i = next++;
      results[i] = await runLab(planned[i], opts);
    }
  };
  const width = Math.max(1, Math.min(opts.parallel ?? defaultParallelism(), planned.length));
  await Promise.all(Array.from({ length: width }, worker));
  return {
    schema: RESULTS_SCHEMA,
    startedAt,
    finishedAt: new Date().toISOString(),
    host: hostname(),
    cycles: opts.cycles,
    ok: results.every((r) => r.status !== 'failed') && results.some((r) => r.status === 'passed'),
    labs: results,
    regressions: [],
    thresholds: { ratio: 0, minExtraMs: 0, window: 0 },
  };
}

export const defaultHistory = (reportDir: string) => join(reportDir, 'history.jsonl');
