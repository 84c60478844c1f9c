// lab up: preflight, network, nodes in parallel (boot, SSH, roles), then every check under its named wait.
import { rmSync } from 'node:fs';
import type { HostFacts } from '../contracts/lint.js';
import type { Provider, ProviderContext } from '../contracts/provider.js';
import type { Issue } from '../core/issue.js';
import type { Check, Lab, Node, Step } from '../core/lab.js';
import { gatherHostFacts } from '../engine/host-facts.js';
import {
  BusyError,
  CancelledError,
  CheckError,
  DefinitionError,
  ExecutionError,
  hostWriteError,
  InterruptedError,
  LabError,
} from '../errors.js';
import { openLab } from '../model/open.js';
import { instanceFlag } from '../names.js';
import { verifyInstanceName } from '../paths.js';
import { printable } from '../printable.js';
import { providerOf } from '../providers/index.js';
import { renderLab } from '../render/render-lab.js';
import { roleOf } from '../roles/index.js';
import { checksOf, nodeAtBoot, splitTrap, stepsThrough } from '../steps/plan.js';
import { recordChecks } from '../steps/standing.js';
import { generateKeyPair } from '../transport/keys.js';
import { verifyRoutedVia } from '../transport/route-guard.js';
import { SshShell, type SshTarget } from '../transport/ssh.js';
import { type CheckOutcome, describeFailure, inTurn, lastOutput } from './checks.js';
import { describeEvent, EventLog, type LabEvent } from './events.js';
import { knownInstances, listInstance, stateFoldersOnHost, unlistInstance } from './host-instances.js';
import { type InstanceRecord, instanceDir, readInstance } from './instances.js';
import type { Journal } from './journal.js';
import { acquireLock, CANCEL_SIGNAL } from './lock.js';
import { completeStart, recordStart, runDirsOf, startCommandsOf, startScript } from './start-roles.js';
import { createInstanceDir, files, journalOf, saveTargets, writeInstance } from './state.js';

/** A lab opened, resolved and linted, with the lint errors let through and the host it was linted on. */
export interface OpenedLab {
  lab: Lab;
  allowed: Issue[];
  host: HostFacts;
}

export interface UpOptions {
  set: string[];
  instance: string;
  /** Lint codes to bring the lab up despite (validated by parseAllow). */
  allow?: string[];
  /** Told the allowed errors before anything is created, so that the output says so first. */
  onAllowed?: (lab: string, issues: Issue[]) => void;
  signal?: AbortSignal;
  /** plain lines (CI), the live tree (a terminal), or nothing (benchmarks, tests) */
  renderer?: 'default' | 'simple' | 'silent';
  /** Every step of every node and every check, timed, on stderr as it happens (and plain progress lines). */
  verbose?: boolean;
  /** Overrides the lab file's provider (lab up --provider). */
  provider?: string;
  /** Bring the lab to the end of this step only (a fresh instance: the catch-up for a workshop). */
  to?: string;
  /** The lab already opened and linted against the host (a workshop opens it once for N instances,
   * nightly once for its cycles). */
  opened?: OpenedLab;
}

export interface UpResult {
  record: InstanceRecord;
  outcomes: CheckOutcome[];
  ms: number;
  /** `--to` a trap: what it kept and what it broke, one line per check. */
  trap?: { step: string; lines: string[] };
}

/** Roles that have no emulated realization yet, on the nodes that need one. */
export function verifyEmulated(lab: Lab): void {
  const missing = lab.nodes.flatMap((n) =>
    n.roles.filter((r) => roleOf(r)?.emulated === false).map((r) => `${n.name}: ${r}`),
  );
  if (missing.length) {
    throw new DefinitionError(
      `${lab.name} cannot be brought up on netns yet: ${missing.length} role instances have no emulated realization`,
      {
        details: [
          `  ${missing.slice(0, 6).join(', ')}${missing.length > 6 ? ', ...' : ''}`,
          `lab render ${lab.name} writes its full configuration for reading and for the vagrant provider.`,
        ],
      },
    );
  }
}

export async function labUp(file: string, opts: UpOptions): Promise<UpResult> {
  const started = Date.now();
  const instance = verifyInstanceName(opts.instance);
  const host = opts.opened?.host ?? (await gatherHostFacts());
  const { lab, allowed } = opts.opened ?? openLab(file, opts.set, host, opts.allow ?? []);
  if (allowed.length) opts.onAllowed?.(lab.name, allowed);
  const provider: Provider = await providerOf(opts.provider ?? lab.provider);
  await provider.verifyHost(lab);
  // a provider that realizes the roles itself (VMs) needs no emulated realization
  if (!provider.realizesRoles) verifyEmulated(lab);
  stepsThrough(lab, opts.to); // an unknown step is refused before anything is locked or created

  if (opts.signal?.aborted) throw new InterruptedError('interrupted before anything was created');
  // one command at a time per instance: a second up, a down (which cancels this one), check, exec
  const lock = acquireLock(lab.name, instance, 'up');
  try {
    return await createAndProve(file, opts, { lab, instance, provider, host, started, allowed });
  } finally {
    lock.release();
  }
}

/** The host would not write a file: a full disk, a read-only one, a quota. */
const isWriteError = (e: unknown) =>
  ['ENOSPC', 'EROFS', 'EDQUOT'].includes((e as NodeJS.ErrnoException)?.code ?? '');

/** What one lab up holds while it runs, shared by its phases below. */
interface Run {
  lab: Lab;
  instance: string;
  opts: UpOptions;
  provider: Provider;
  started: number;
  record: InstanceRecord;
  dir: string;
  events: EventLog;
  journal: Journal;
  ctx: ProviderContext;
  /** SSH connections by node: opened at boot where checks need them, else on first use */
  shells: Map<string, SshShell>;
  targets: SshTarget[];
  shellOf: (node: string) => SshShell;
  /** the checks judged so far, in the order they ended */
  outcomes: CheckOutcome[];
  aborted: () => boolean | undefined;
}

async function createAndProve(
  file: string,
  opts: UpOptions,
  given: {
    lab: Lab;
    instance: string;
    provider: Provider;
    host: HostFacts;
    started: number;
    allowed: Issue[];
  },
): Promise<UpResult> {
  const { lab, instance, provider, started } = given;
  // the steps this run covers: their roles start at boot, their scripts after, then their checks
  const steps = stepsThrough(lab, opts.to);
  // a trap named by --to runs last, once the steps before it are proven: it breaks what they built
  const { proven, trap } = splitTrap(steps);
  const checks = checksOf(lab, proven, opts.to === undefined);
  const scripted = proven.filter((s) => s.script || s.actions?.length);
  await refuseHeld(lab, instance, provider);
  const record = createInstance(file, opts, given);
  let run: Run;
  try {
    run = startRun(opts, given, record);
  } catch (e) {
    // its event log not written (a full disk): nothing is made yet but the folder and its host entry
    unlistInstance(lab.name, instance);
    rmSync(record.dir, { recursive: true, force: true });
    throw isWriteError(e) ? hostWriteError('the state folder', record.dir, e) : e;
  }
  const { events, ctx, shells } = run;
  const nextOutcome = inTurn(lab, checks, (node) => shells.get(node)!, { wait: true, signal: opts.signal });
  const checkNodes = new Set(checks.map((c) => c.node));
  const trapResults: { name: string; ok: boolean }[] = [];
  const trapLines: string[] = [];
  try {
    // the network is created first and the rest prepared while `ip` works: the display's code
    // loads and the files render meanwhile, instead of before the first namespace exists
    const network = events.span('network', undefined, () => provider.createNetwork(ctx));
    network.catch(() => undefined); // awaited by its task below
    const progressModule = import('./progress.js');
    ctx.files = renderLab(lab);
    const progress = new (await progressModule).Progress(
      opts.renderer ?? (opts.verbose ? 'simple' : undefined),
    );
    await progress.run([
      networkTask(run, network),
      {
        title: 'nodes',
        // every node settles (up or failed) before the run goes on or reports: no work outlives it
        collectErrors: true,
        subtasks: lab.nodes.map((node) => nodeTask(run, node, proven, checkNodes)),
      },
      ...(scripted.length ? [stepsTask(run, scripted)] : []),
      {
        title: 'checks',
        collectErrors: true,
        // in the lab's order (sessions, then routes, then traffic): each one waits for what the demo
        // needs next, and usually passes on its first try once the one before has; after a failure
        // the rest get one try each, so that the report shows them all
        sequential: true,
        subtasks: checks.map((check) => checkTask(run, check, nextOutcome)),
      },
      ...(trap ? [trapTask(run, trap, trapResults, trapLines)] : []),
    ]);
    if (run.aborted()) throw new InterruptedError('interrupted'); // after the last check: still undone
    recordChecks(
      run.dir,
      [...run.outcomes.map((o) => ({ name: o.check.name, ok: o.verdict.ok })), ...trapResults],
      steps.map((s) => s.name),
    );
    if (run.outcomes.some((o) => !o.verdict.ok)) throw new CheckError('checks failed');
    saveTargets(run.dir, run.targets, ctx.userKey.privateKey);
    record.status = 'up';
    writeInstance(record);
    events.emit({ type: 'run-end', ok: true, ms: Date.now() - started, exitCode: 0 });
    return {
      record,
      outcomes: checks.map((c) => run.outcomes.find((o) => o.check === c)!),
      ms: Date.now() - started,
      ...(trap ? { trap: { step: trap.name, lines: trapLines } } : {}),
    };
  } catch (error) {
    throw await failedRun(run, error, checks.length);
  } finally {
    for (const s of shells.values()) s.close();
  }
}

/** The state folder may have lost its instance.json while the lab runs: what the host holds under the
 * instance's names is refused, not overlaid (ip failed halfway with "File exists", exit 4, and the
 * folder, journal included, was wiped first). With an instance.json, createInstanceDir refuses. */
async function refuseHeld(lab: Lab, instance: string, provider: Provider): Promise<void> {
  const held = readInstance(instanceDir(lab.name, instance))
    ? []
    : ((await provider.findInstance?.(lab.name, instance)) ?? []).filter((f) => f.kind !== 'process');
  if (held.length) {
    throw new BusyError(
      `${lab.name} (instance ${instance}) is already on this host: ${held.map((f) => `${f.kind} ${f.name}`).join(', ')}`,
      {
        details: [
          `Its state folder does not say so (damaged or removed). Remove it first: lab down ${lab.name}${instanceFlag(instance)} (it finds the lab by its names), or start another copy with --instance NAME.`,
        ],
      },
    );
  }
}

/** The instance's state folder and record, its management network chosen, on the host's list. */
function createInstance(
  file: string,
  opts: UpOptions,
  given: { lab: Lab; instance: string; provider: Provider; host: HostFacts; allowed: Issue[] },
): InstanceRecord {
  const { lab, instance, provider, host, allowed } = given;
  const dir = createInstanceDir(lab.name, instance);
  const taken = [
    ...host.routes,
    ...knownInstances().flatMap((i) => (i.managementPrefix ? [i.managementPrefix] : [])),
  ];
  const management = provider.allocateManagement(lab, instance, taken);
  const record: InstanceRecord = {
    id: `${lab.name}/${instance}`,
    lab: lab.name,
    instance,
    file,
    sets: opts.set,
    ...(allowed.length ? { allowed: allowed.map((i) => ({ code: i.code, message: i.message })) } : {}),
    provider: provider.name,
    dir,
    managementPrefix: management.prefix,
    link: management.link,
    status: 'starting',
    ownerPid: process.pid,
    createdAt: new Date().toISOString(),
  };
  try {
    writeInstance(record);
  } catch (e) {
    // a full or read-only disk under the state folder: nothing is created yet, and nothing is left
    rmSync(dir, { recursive: true, force: true });
    throw hostWriteError('the state folder', dir, e);
  }
  listInstance(record);
  return record;
}

/** The run's event log, journal, provider context and SSH connections. */
function startRun(
  opts: UpOptions,
  given: { lab: Lab; instance: string; provider: Provider; started: number },
  record: InstanceRecord,
): Run {
  const { lab, instance } = given;
  const dir = record.dir;
  const echo = opts.verbose
    ? (e: LabEvent, t: number) => console.error(printable(describeEvent(e, t)))
    : undefined;
  const events = new EventLog(files(dir).events, echo);
  events.emit({ type: 'run-start', command: 'up', lab: lab.name, instance });
  const journal = journalOf(dir);
  const ctx: ProviderContext = {
    lab,
    instance,
    dir,
    journal,
    managementPrefix: record.managementPrefix!,
    files: [], // rendered while the network is being created
    userKey: generateKeyPair(`lab-${lab.name}-${instance}`),
    hidden: stateFoldersOnHost(),
    signal: opts.signal,
  };
  const shells = new Map<string, SshShell>();
  const targets: SshTarget[] = [];
  const shellOf = (node: string): SshShell => {
    let shell = shells.get(node);
    if (!shell) {
      shell = new SshShell(targets.find((t) => t.node === node)!);
      shells.set(node, shell);
    }
    return shell;
  };
  return {
    ...given,
    opts,
    record,
    dir,
    events,
    journal,
    ctx,
    shells,
    targets,
    shellOf,
    outcomes: [],
    aborted: () => opts.signal?.aborted,
  };
}

/** The network's task: the bridge a hypervisor made, and every node's address leaving through it. */
function networkTask(run: Run, network: ReturnType<Provider['createNetwork']>) {
  const { lab, record } = run;
  return {
    title: `network: ${lab.nodes.length} nodes on ${lab.networks.length} networks, management ${record.managementPrefix}`,
    task: async () => {
      const { addresses, link } = await network;
      if (link) {
        // a hypervisor's bridge is known only once the machines run
        record.link = link;
        writeInstance(record);
      }
      // before any connection: every node's address must leave through the lab's own link
      await verifyRoutedVia(addresses, record.link!);
    },
  };
}

/** One node's task: boot with its roles' start script, SSH where needed, its roles started. */
function nodeTask(run: Run, node: Node, proven: Step[], checkNodes: Set<string>) {
  const { lab, provider, events, journal, ctx, shells, targets } = run;
  return {
    title: node.name,
    task: async (say: (s: string) => void) => {
      if (run.aborted()) throw new InterruptedError('interrupted');
      const commands = provider.realizesRoles ? [] : startCommandsOf(lab, nodeAtBoot(lab, node, proven));
      const script = startScript(commands);
      recordStart(journal, node.name, commands);
      say(commands.length ? `booting, then ${commands.map((c) => c.name).join(', ')}` : 'booting');
      const booted = await events.span('boot', node.name, () =>
        provider.bootNode(ctx, node.name, script, runDirsOf(commands)),
      );
      targets.push(booted.target);
      const ssh = new SshShell(booted.target);
      // SSH connects while the daemons start, where checks need it (other nodes' connections
      // open on first use: a hundred handshakes would cost seconds of CPU)
      const needsSsh = checkNodes.has(node.name) || !booted.started;
      if (needsSsh) shells.set(node.name, ssh);
      await Promise.all([
        needsSsh && events.span('ssh', node.name, () => ssh.connect()),
        events.span('roles', node.name, async () => {
          const result = booted.started
            ? await booted.started
            : await ssh.exec(script, { timeoutMs: 30_000 });
          await completeStart(journal, node.name, commands, result);
        }),
      ]);
      say(`up (${node.roles.join(', ') || 'no roles'})`);
    },
  };
}

/** The steps with a script or actions, one after another, once every node is up. */
function stepsTask(run: Run, scripted: Step[]) {
  const { lab, events, journal, shellOf, opts, ctx } = run;
  return {
    title: 'steps',
    sequential: true,
    subtasks: scripted.map((step) => ({
      title: step.name,
      task: async (say: (s: string) => void) => {
        const { runStepScript } = await import('../steps/api.js');
        const { runStepActions } = await import('./step-actions.js');
        await events.span(`step ${step.name}`, undefined, async () => {
          await runStepActions(lab, step, { journal, shellOf, log: say });
          await runStepScript(lab, step, shellOf, say, { signal: opts.signal, files: ctx.files });
        });
      },
    })),
  };
}

/** One check under its named wait (one try once another has failed), logged as an event. */
function checkTask(
  run: Run,
  check: Check,
  nextOutcome: (check: Check, failedBefore: boolean) => Promise<CheckOutcome>,
) {
  const { events, outcomes } = run;
  return {
    title: `${check.name} on ${check.node}`,
    task: async (say: (s: string) => void) => {
      const failedBefore = outcomes.some((o) => !o.verdict.ok);
      say(failedBefore ? 'one try' : `waiting (${check.wait}: ${check.timeout} s)`);
      const o = await nextOutcome(check, failedBefore);
      outcomes.push(o);
      events.emit({
        type: 'check',
        check: check.name,
        node: check.node,
        ok: o.verdict.ok,
        attempts: o.attempts,
        waitedMs: o.waitedMs,
        ...(o.verdict.ok ? { detail: o.verdict.detail } : { reason: o.verdict.reason }),
        output: lastOutput(o),
      });
      if (!o.verdict.ok) throw new CheckError(o.verdict.reason);
      say(`passed in ${(o.waitedMs / 1000).toFixed(2)} s${o.verdict.detail ? `: ${o.verdict.detail}` : ''}`);
    },
  };
}

/** The trap's effects once the checks have passed, then its proof: its checks pass, its breaks fail. */
function trapTask(run: Run, step: Step, trapResults: { name: string; ok: boolean }[], trapLines: string[]) {
  const { lab, events, journal, shellOf, opts, outcomes } = run;
  return {
    title: 'trap',
    subtasks: [
      {
        title: `${step.name} (on purpose)`,
        task: async (say: (s: string) => void) => {
          if (outcomes.some((o) => !o.verdict.ok))
            throw new CheckError('the steps before it failed their checks');
          const { runStepEffects, proveStep, describeProof, describeMiss } = await import('./run-step.js');
          await events.span(`step ${step.name}`, undefined, () =>
            runStepEffects(lab, step, journal, shellOf, say),
          );
          const proofs = await proveStep(lab, step, shellOf, {
            signal: opts.signal,
            onProof: (p) => say(describeProof(p)),
          });
          trapResults.push(...proofs.map((p) => ({ name: p.outcome.check.name, ok: p.outcome.verdict.ok })));
          trapLines.push(...proofs.map(describeProof));
          const missed = proofs.filter((p) => !p.ok);
          if (missed.length)
            throw new CheckError(
              `${step.name}: ${missed.length} of ${proofs.length} checks went against the step`,
              {
                details: missed.flatMap(describeMiss),
              },
            );
        },
      },
    ],
  };
}

/** A run that did not end proven: removed on Ctrl-C or when its state cannot be written, else left
 * running for a look. Returns the error to throw. */
async function failedRun(run: Run, error: unknown, checkCount: number): Promise<LabError> {
  const { lab, instance, provider, opts, dir, record, events, journal, ctx, shells, targets, started } = run;
  if (run.aborted()) {
    // Ctrl-C: remove everything this run created, then report the interruption
    for (const s of shells.values()) s.close();
    await provider.destroy(journal.resources());
    rmSync(dir, { recursive: true, force: true });
    unlistInstance(lab.name, instance);
    if (opts.signal?.reason === CANCEL_SIGNAL)
      return new CancelledError(
        `cancelled: lab down of ${lab.name} (instance ${instance}) stopped this lab up; everything it had created is removed`,
      );
    return new InterruptedError(
      `interrupted: everything ${lab.name} (instance ${instance}) had created is removed`,
    );
  }
  // the state folder could not be written (a full disk): a lab left for a look could be neither
  // reached nor removed by its journal, so it goes now, and the cause is said (exit 3)
  let saveError: unknown;
  if (!isWriteError(error))
    try {
      saveTargets(dir, targets, ctx.userKey.privateKey);
      record.status = 'failed';
      writeInstance(record);
    } catch (e) {
      saveError = e;
    }
  if (isWriteError(error) || saveError) {
    for (const s of shells.values()) s.close();
    await provider.destroy(journal.resources());
    const found = (await provider.findInstance?.(lab.name, instance)) ?? [];
    if (found.length) await provider.removeOrphans(found);
    rmSync(dir, { recursive: true, force: true });
    unlistInstance(lab.name, instance);
    const e = hostWriteError('the state folder', dir, isWriteError(error) ? error : saveError);
    e.details = [
      `lab up failed (${(error as Error).message}) and could not record it: everything it had created is removed.`,
      ...e.details,
    ];
    return e;
  }
  const failed = run.outcomes.filter((o) => !o.verdict.ok);
  const leftUp = `The lab is left running for a look: lab exec ${lab.name} NODE -- CMD, logs under ${dir}/nodes/NODE/log; remove it with lab down ${lab.name}${instanceFlag(instance)}.`;
  if (failed.length) {
    const e = new CheckError(`${failed.length} of ${checkCount} checks failed`, {
      details: [...failed.flatMap(describeFailure), leftUp],
    });
    events.emit({ type: 'run-end', ok: false, ms: Date.now() - started, exitCode: e.exitCode });
    return e;
  }
  const e =
    error instanceof LabError ? error : new ExecutionError((error as Error).message, { cause: error });
  e.details.push(leftUp);
  events.emit({ type: 'run-end', ok: false, ms: Date.now() - started, exitCode: e.exitCode });
  return e;
}
