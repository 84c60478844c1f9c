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
  /** 'registry': the instance's entry in the host's instance list (the name lab-nightly/1 keeps) */
  kind: 'namespace' | 'link' | 'process' | 'mount' | 'state' | 'registry';
  what: string;
}

export interface TriageNode {
  node: string;
  /** relative to the report folder */
  file: string;
}

/** A check as a declared failure proved it: `broken` ones must fail, the others pass. */
export interface FailureCheck {
  name: string;
  node: string;
  broken: boolean;
  /** as the step means it: a broken check failed, another passed */
  ok: boolean;
  ms: number;
  reason?: string;
  detail?: string;
  /** the last output, when it went against the step */
  output?: string;
}

/** One declared failure (an optional step of actions), run after up proved the lab. */
export interface FailureResult {
  step: string;
  /** its actions as the lab says them: `link_down c lan1 (eth0)` */
  actions: string[];
  ok: boolean;
  ms: number;
  /** its actions did not run (the later ones are not tried) */
  error?: string;
  checks: FailureCheck[];
}

/** Every check of the lab again after the declared failures, under its waits. */
export interface RecoveryResult {
  ok: boolean;
  ms: number;
  checks: FailureCheck[];
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
  /** the lab's declared failures in file order, once up passed (none declared: empty; absent in
   * results from before they ran) */
  failures?: FailureResult[];
  /** the lab's checks after its declared failures (absent when it declares none, or they did not run) */
  recovery?: RecoveryResult;
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
