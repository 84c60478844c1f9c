// The nightly results: one JSON document per run, versioned (docs/nightly-results.md describes it).
// The history file holds one per line, so that each run is compared with the ones before.

import type { CheckRecord } from '../engine/events.js';

/** Bump when a field changes meaning or goes away; adding a field keeps the version. */
export const RESULTS_SCHEMA = 'lab-nightly/1';

/** One timed piece of a cycle, from the engine's events: network, boot/ssh/roles of a node, a check, teardown. */
export interface Phase {
  /** network | boot | ssh | roles | check | teardown */
  kind: string;
  /** the node it ran on (boot, ssh, roles, check) */
  node?: string;
  /** the check's name, for kind check */
  name?: string;
  /** ms from the cycle's start */
  startMs: number;
  ms: number;
  ok: boolean;
}

/** A check as the engine's event log recorded it, with the command it ran. */
export interface CheckResult extends CheckRecord {
  name: string;
  node: string;
  command: string;
}

export interface Leak {
  kind: 'namespace' | 'link' | 'process' | 'mount' | 'state' | 'registry';
  what: string;
}

export interface TriageNode {
  node: string;
  /** relative to the report folder */
  file: string;
}

export interface CycleResult {
  cycle: number;
  instance: string;
  ok: boolean;
  up: { ok: boolean; ms: number; exitCode: number; error?: string };
  checks: CheckResult[];
  down: { ok: boolean; ms: number; error?: string };
  leaks: Leak[];
  phases: Phase[];
  triage: TriageNode[];
}

export interface LabResult {
  lab: string;
  status: 'passed' | 'failed' | 'skipped';
  /** why it was skipped, or why it could not start */
  reason?: string;
  nodes: number;
  /** the lab's checks in file order: a check that never ran (up failed before it) still shows */
  checks: { name: string; node: string; command: string }[];
  cycles: CycleResult[];
  /** the topology picture (SVG), kept out of the JSON history: only in the report */
  topology?: string;
}

export interface Regression {
  lab: string;
  /** up, down, network, nodes, or check:<name> */
  phase: string;
  ms: number;
  medianMs: number;
  ratio: number;
}

export interface NightlyResults {
  schema: typeof RESULTS_SCHEMA;
  startedAt: string;
  finishedAt: string;
  host: string;
  cycles: number;
  ok: boolean;
  labs: LabResult[];
  regressions: Regression[];
  /** the thresholds regressions were judged with */
  thresholds: { ratio: number; minExtraMs: number; window: number };
}
