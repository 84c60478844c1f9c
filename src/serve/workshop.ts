// The workshop's actions, on this host's engine: each attendee's steps as `lab steps` sees them, a
// step's checks (the lines `lab check` prints), a step run (as `lab step`), a reset to step K (a fresh
// instance `--to K`), an attendee added, health, the end (every instance down). One action at a time
// per attendee; what each did goes to the WorkshopState, which tells the pages.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Lab, Step } from '../core/lab.js';
import { runCheckOnce, verdictLine } from '../engine/checks.js';
import { labDown } from '../engine/down.js';
import { healthOf } from '../engine/health.js';
import { instanceDir, readInstance } from '../engine/instances.js';
import { describeProof, proveStep, runStepEffects } from '../engine/run-step.js';
import { openShells } from '../engine/shells.js';
import { files, journalOf, loadTargets, requireInstance } from '../engine/state.js';
import { labUp } from '../engine/up.js';
import { inPool } from '../engine/workshop.js';
import { DefinitionError } from '../errors.js';
import { nextStep } from '../steps/plan.js';
import { readStanding, recordChecks } from '../steps/standing.js';
import type { SshShell, SshTarget } from '../transport/ssh.js';
import { publicKeyOf } from './gateway/index.js';
import type { Attendee, StepResult, WorkshopState } from './state.js';

export type StepState = 'done' | 'next' | 'pending' | 'optional';

/** One row of the dashboard, and what an attendee's page shows of themselves: no token in it. */
export interface AttendeeView {
  name: string;
  status: Attendee['status'];
  busy?: string;
  error?: string;
  steps: { name: string; state: StepState; checks: { name: string; ok?: boolean; at?: string }[] }[];
  /** The latest Check or Run of each step. */
  last: Record<string, StepResult>;
  health?: { ok: boolean; problems: string[]; at: string };
}

export interface WorkshopSetup {
  file: string;
  lab: Lab;
  sets: string[];
  allow: string[];
  prefix: string;
  parallel: number;
  state: WorkshopState;
  /** Aborted when the server stops: a lab up it started is cut short (and removes what it made). */
  signal: AbortSignal;
}

export class Workshop {
  private readonly shells = new Map<string, Map<string, SshShell>>();
  private readonly busy = new Map<string, string>();
  private readonly keys = new Map<string, { mtimeMs: number; line: string }>();

  constructor(readonly setup: WorkshopSetup) {}

  get lab(): Lab {
    return this.setup.lab;
  }
  get state(): WorkshopState {
    return this.setup.state;
  }

  dirOf(a: Attendee): string {
    return a.placement.dir;
  }

  /** Where an attendee stands: each step's state from its instance's standing, each check's last result. */
  view(a: Attendee): AttendeeView {
    const standing = readStanding(this.dirOf(a));
    const next = nextStep(this.lab, standing.done);
    const stateOf = (s: Step): StepState =>
      standing.done.includes(s.name) ? 'done' : s === next ? 'next' : s.optional ? 'optional' : 'pending';
    const last: Record<string, StepResult> = {};
    for (const r of this.state.results(a.name)) last[r.step] = r;
    return {
      name: a.name,
      status: a.status,
      busy: this.busy.get(a.name),
      error: a.error,
      steps: this.lab.steps.map((s) => ({
        name: s.name,
        state: stateOf(s),
        checks: [...s.checks, ...s.breaks].map((c) => ({ name: c, ...standing.checks[c] })),
      })),
      last,
      health: this.state.health(a.name),
    };
  }

  /** A step known to the lab, or a refusal naming the steps there are. */
  stepOf(name: string): Step {
    const step = this.lab.steps.find((s) => s.name === name);
    if (!step)
      throw new DefinitionError(
        `${this.lab.name} has no step ${name}; its steps are ${this.lab.steps.map((s) => s.name).join(', ')}`,
      );
    return step;
  }

  /** A place to reset to: 0 (before the first step), a step's number, or its name. */
  stepOrZero(to: string): string {
    if (/^\d+$/.test(to)) {
      if (Number(to) > this.lab.steps.length)
        throw new DefinitionError(
          `${this.lab.name} has ${this.lab.steps.length} steps: reset to 0 to ${this.lab.steps.length}`,
        );
      return to;
    }
    return this.stepOf(to).name;
  }

  /** A step that does something when run: roles to start, actions, or a script. */
  static automated(step: Step): boolean {
    return step.roles.length > 0 || !!step.script || !!step.actions?.length;
  }

  /** The attendee's nodes as the SSH gateway and the terminals reach them (read fresh: a reset makes new keys). */
  targets(a: Attendee): SshTarget[] {
    return a.status === 'up' ? loadTargets(this.dirOf(a)) : [];
  }

  /** The instance's management link: every node address must route out of it (the route guard). */
  linkOf(a: Attendee): string | undefined {
    return readInstance(this.dirOf(a))?.link;
  }

  /** The OpenSSH public key line of the attendee's instance key (the one their nodes authorize). An
   * instance removed behind the server's back (lab down) keeps its last key: the attendee still logs in
   * to the gateway, which reaches none of their nodes and tells them their instance is gone. */
  authorizedKey(a: Attendee): string {
    const file = files(this.dirOf(a)).userKey;
    if (!existsSync(file)) return existsSync(this.dirOf(a)) ? '' : (this.keys.get(a.name)?.line ?? '');
    const mtimeMs = statMtime(file);
    const known = this.keys.get(a.name);
    if (known && known.mtimeMs === mtimeMs) return known.line;
    const line = publicKeyOf(readFileSync(file, 'utf8'));
    this.keys.set(a.name, { mtimeMs, line });
    return line;
  }

  /** One action at a time per attendee: a second is refused while the first runs. */
  private async exclusive<T>(a: Attendee, what: string, fn: () => Promise<T>): Promise<T> {
    const running = this.busy.get(a.name);
    if (running) throw new BusyAction(`${a.name} is busy: ${running}`);
    this.busy.set(a.name, what);
    this.state.put(a);
    try {
      return await fn();
    } finally {
      this.busy.delete(a.name);
      const now = this.state.attendee(a.name);
      if (now) this.state.put(now);
    }
  }

  private async shellsOf(a: Attendee): Promise<Map<string, SshShell>> {
    let s = this.shells.get(a.name);
    if (!s) {
      s = await openShells(requireInstance(this.lab.name, a.name));
      this.shells.set(a.name, s);
    }
    return s;
  }

  private dropShells(a: Attendee) {
    for (const s of this.shells.get(a.name)?.values() ?? []) s.close();
    this.shells.delete(a.name);
  }

  /** What is down among these nodes of the attendee's instance (read from the host: machine, links,
   * processes, as lab check starts with), each said with what to do; none when they look up. An SSH
   * connection to a node that is down only times out, seconds later, naming neither. */
  async down(
    a: Attendee,
    nodes: string[],
    only: (problem: string) => boolean = () => true,
  ): Promise<string[]> {
    const fix = `reset ${a.name} to a step for a fresh instance (the dashboard's reset; attendees: ask the instructor)`;
    const record = readInstance(this.dirOf(a));
    if (!record) return [`${a.name}'s instance is gone: ${fix}`];
    const { problems } = await healthOf(
      record,
      this.lab.nodes
        .filter((n) => nodes.includes(n.name))
        .map((n) => ({ name: n.name, interfaces: n.interfaces.map((i) => i.name) })),
    );
    return nodes.flatMap((node) => {
      const its = problems.filter((p) => p.node === node && only(p.problem)).map((p) => p.problem);
      return its.length ? [`${node} is down: ${its.join('; ')}; ${fix}`] : [];
    });
  }

  /** Why the node's sshd cannot answer, when the host says so (the instance or the node's machine gone,
   * its sshd or holder not running or stopped): what the SSH gateway tells an attendee at once. Other
   * problems (a daemon a step stopped on purpose) leave the node reachable: undefined. */
  async unreachable(a: Attendee, node: string): Promise<string | undefined> {
    const [why] = await this.down(a, [node], (p) => /^its machine is gone|^(sshd|holder) \(pid/.test(p));
    return why;
  }

  /** The step's checks, one try each, in the lab's order: the lines `lab check` prints for them. */
  check(a: Attendee, stepName: string, by: string): Promise<StepResult> {
    const step = this.stepOf(stepName);
    return this.exclusive(a, `checking ${step.name}`, async () => {
      const wanted = new Set([...step.checks, ...step.breaks]);
      const checks = this.lab.checks.filter((c) => wanted.has(c.name));
      const down = await this.down(a, [...new Set(checks.map((c) => c.node))]);
      if (down.length)
        return this.result(
          a,
          { step: step.name, action: 'check', ok: false, lines: down.map((d) => `✖ ${d}`) },
          by,
        );
      const shells = await this.shellsOf(a);
      const outcomes = await Promise.all(
        checks.map(async (c) => {
          const once = await runCheckOnce(this.lab, c, shells.get(c.node)!).catch((e: Error) => ({
            verdict: { ok: false as const, reason: e.message },
          }));
          return { check: c, verdict: once.verdict };
        }),
      );
      recordChecks(
        this.dirOf(a),
        outcomes.map((o) => ({ name: o.check.name, ok: o.verdict.ok })),
      );
      // a trap's broken check is as the step means when it fails
      const asMeant = (o: (typeof outcomes)[number]) =>
        step.breaks.includes(o.check.name) ? !o.verdict.ok : o.verdict.ok;
      const lines = outcomes.map(
        (o) =>
          `${verdictLine(o.check, o.verdict)}${step.breaks.includes(o.check.name) ? ' (this step breaks it)' : ''}`,
      );
      if (!checks.length) lines.push(`step ${step.name} names no checks`);
      return this.result(a, { step: step.name, action: 'check', ok: outcomes.every(asMeant), lines }, by);
    });
  }

  /** Runs the step as `lab step` does (it must be the next one), then proves it under its checks' waits. */
  run(a: Attendee, stepName: string, by: string): Promise<StepResult> {
    const step = this.stepOf(stepName);
    if (!Workshop.automated(step))
      throw new DefinitionError(`step ${step.name} has nothing to run: it is done by hand, then checked`);
    return this.exclusive(a, `running ${step.name}`, async () => {
      const dir = this.dirOf(a);
      const standing = readStanding(dir);
      const next = nextStep(this.lab, standing.done, step.optional ? step.name : undefined);
      if (standing.done.includes(step.name))
        throw new DefinitionError(`step ${step.name} has already run (reset to it to see it again)`);
      if (next !== step)
        throw new DefinitionError(
          `step ${step.name} is not next: ${next ? `run ${next.name} first` : 'every step is done'}`,
        );
      const down = await this.down(
        a,
        this.lab.nodes.map((n) => n.name),
      );
      if (down.length)
        return this.result(
          a,
          { step: step.name, action: 'run', ok: false, lines: down.map((d) => `✖ ${d}`) },
          by,
        );
      const shells = await this.shellsOf(a);
      const lines: string[] = [];
      try {
        await runStepEffects(
          this.lab,
          step,
          journalOf(dir),
          (n) => shells.get(n)!,
          (l) => lines.push(l),
        );
      } catch (e) {
        lines.push(`✖ step ${step.name} did not complete: ${(e as Error).message}`);
        return this.result(a, { step: step.name, action: 'run', ok: false, lines }, by);
      }
      standing.done.push(step.name);
      recordChecks(dir, [], standing.done);
      const proofs = await proveStep(this.lab, step, (n) => shells.get(n)!, {
        signal: this.setup.signal,
        onProof: (p) => lines.push(describeProof(p)),
      });
      recordChecks(
        dir,
        proofs.map((p) => ({ name: p.outcome.check.name, ok: p.outcome.verdict.ok })),
      );
      return this.result(a, { step: step.name, action: 'run', ok: proofs.every((p) => p.ok), lines }, by);
    });
  }

  private result(a: Attendee, r: Omit<StepResult, 'at'>, by: string): StepResult {
    const result = { ...r, at: new Date().toISOString() };
    this.state.addResult(a.name, result);
    this.state.record({
      attendee: a.name,
      kind: r.action,
      text: `${r.action} ${r.step}: ${r.ok ? 'passed' : 'failed'}${by === a.name ? '' : ` (by ${by})`}`,
    });
    return result;
  }

  /** A fresh instance brought to the end of step `to` (0: before the first), as lab up --to does. */
  reset(a: Attendee, to: string): Promise<void> {
    this.stepOrZero(to);
    return this.exclusive(a, `resetting to ${to}`, async () => {
      this.dropShells(a);
      this.state.put({ ...a, status: 'resetting', error: undefined });
      this.state.record({ attendee: a.name, kind: 'reset', text: `reset to step ${to}` });
      try {
        await labDown(this.lab.name, a.name);
        await this.bringUp(a.name, to);
      } catch (e) {
        this.state.put({ ...a, status: 'failed', error: (e as Error).message });
        throw e;
      }
      this.state.put({ ...a, status: 'up', error: undefined });
      this.state.record({ attendee: a.name, kind: 'reset', text: `reset to step ${to}: up` });
    });
  }

  private bringUp(instance: string, to?: string) {
    const { file, sets, allow, signal } = this.setup;
    return labUp(file, { set: sets, allow, instance, to, renderer: 'silent', signal });
  }

  /** The next attendee, PREFIX-(N+1), brought up (to step `to` when given). */
  async add(to?: string): Promise<Attendee> {
    const taken = new Set(this.state.attendees().map((a) => a.name));
    let n = 1;
    while (taken.has(`${this.setup.prefix}-${n}`)) n++;
    const name = `${this.setup.prefix}-${n}`;
    const a = this.state.put({
      name,
      placement: { kind: 'local', dir: instanceDir(this.lab.name, name) },
      status: 'starting',
    });
    this.state.record({ attendee: name, kind: 'add', text: `${name} added` });
    try {
      await this.bringUp(name, to);
      return this.state.put({ ...a, status: 'up' });
    } catch (e) {
      this.state.put({ ...a, status: 'failed', error: (e as Error).message });
      throw e;
    }
  }

  /** Every attendee's health, as lab check starts with: machines, links, daemons. */
  async refreshHealth(): Promise<void> {
    for (const a of this.state.attendees()) {
      if (a.status !== 'up' || this.busy.has(a.name)) continue;
      const record = readInstance(this.dirOf(a));
      if (!record) {
        this.state.setHealth(a.name, { ok: false, problems: ['its instance is gone'], at: now() });
        continue;
      }
      try {
        const { problems } = await healthOf(
          record,
          this.lab.nodes.map((n) => ({ name: n.name, interfaces: n.interfaces.map((i) => i.name) })),
        );
        this.state.setHealth(a.name, {
          ok: !problems.length,
          problems: problems.map((p) => `${p.node}: ${p.problem}`),
          at: now(),
        });
      } catch (e) {
        this.state.setHealth(a.name, { ok: false, problems: [(e as Error).message], at: now() });
      }
    }
  }

  /** The end of the workshop: every attendee's instance down. */
  async end(): Promise<{ name: string; removed: boolean; error?: string }[]> {
    this.state.record({ kind: 'end', text: 'the workshop ends: every instance goes down' });
    const all = this.state.attendees();
    for (const a of all) this.dropShells(a);
    const settled = await inPool(all, this.setup.parallel, async (a) => {
      this.state.put({ ...a, status: 'removed' });
      return labDown(this.lab.name, a.name);
    });
    this.state.end();
    return all.map((a, i) => {
      const r = settled[i];
      return r.status === 'fulfilled'
        ? { name: a.name, removed: r.value.removed }
        : { name: a.name, removed: false, error: (r.reason as Error).message };
    });
  }

  close(): void {
    for (const a of this.state.attendees()) this.dropShells(a);
  }
}

/** An action refused because another runs on the same attendee (HTTP 409). */
export class BusyAction extends Error {}

const now = () => new Date().toISOString();

function statMtime(file: string): number {
  try {
    return statSync(file).mtimeMs;
  } catch {
    return 0;
  }
}

/** The workshop's tokens: a dot folder of the state root, which no instance listing reads. */
export const stateFileOf = (stateRoot: string, lab: string, prefix: string) =>
  join(stateRoot, '.serve', `${lab}.${prefix}.json`);
