// A workshop: N isolated instances of one lab on this host (PREFIX-1..N), brought up and proven side by
// side in one process, a few at a time. Each is an ordinary instance: its own namespaces, management
// network, SSH key (authorized on its nodes only) and state folder, hidden from every node.
import { availableParallelism } from 'node:os';
import { gatherHostFacts } from '../engine/host-facts.js';
import {
  BusyError,
  CancelledError,
  DefinitionError,
  exitCodeOf,
  InterruptedError,
  type LabError,
  PreflightError,
} from '../errors.js';
import { openLab } from '../model/open.js';
import { verifyInstanceName } from '../paths.js';
import { providerOf } from '../providers/index.js';
import { labDown } from './down.js';
import { knownInstances } from './host-instances.js';
import { instanceDir, isCrashed, readInstance } from './instances.js';
import { CANCEL_SIGNAL } from './lock.js';
import { files } from './state.js';
import { labUp, type UpOptions, verifyEmulated } from './up.js';

/** Attendee instances at once by default: 8 per core. An instance's work is the cores' (namespaces,
 * links, mounts, process starts), so the width follows their number; between that work it waits on its
 * daemons (BGP's first sessions), which others' work fills. On a 2-core host, 30 bgp-metallb instances
 * took 7.2-7.5 s at 15 and 16, 7.6-8.3 s at 10 (5 per core, the old default), 7.5-8.3 s at 20 and 30. */
export const defaultParallel = () => Math.min(100, 8 * availableParallelism());
export const DEFAULT_PREFIX = 'attendee';
/** Far beyond any host (the management pool holds 128 networks): a bound for the flag itself. */
export const MAX_COUNT = 1000;

/** --instances N: a whole number from 1 on; what the host can hold is judged later, with the lab. */
export function parseCount(value: string | number): number {
  const text = String(value).trim();
  const n = /^\d+$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isSafeInteger(n) || n < 1)
    throw new DefinitionError(
      `--instances ${text}: give a whole number of attendees, 1 or more (nothing was created)`,
      { code: 'instances-invalid' },
    );
  if (n > MAX_COUNT)
    throw new DefinitionError(
      `--instances ${text}: at most ${MAX_COUNT} (no host holds more: each instance takes a management network of 198.18.0.0/15)`,
      { code: 'instances-invalid' },
    );
  return n;
}

export function parseParallel(value: string | number | undefined): number {
  if (value === undefined) return defaultParallel();
  const n = /^\d+$/.test(String(value).trim()) ? Number(value) : Number.NaN;
  if (!Number.isSafeInteger(n) || n < 1 || n > 100)
    throw new DefinitionError(`--parallel ${value}: give a whole number from 1 to 100`);
  return n;
}

/** PREFIX-1 .. PREFIX-N would each be a valid instance name (at most 16 characters). */
export function verifyAttendeeNames(prefix: string, count: number): void {
  try {
    for (const name of [prefix, `${prefix}-${count}`]) verifyInstanceName(name);
  } catch {
    throw new DefinitionError(
      `--prefix ${prefix}: ${prefix}-${count} must be an instance name: 1 to 16 lowercase letters, digits and dashes, starting with a letter`,
    );
  }
}

/** PREFIX-1 .. PREFIX-N. */
export function attendeeNames(prefix: string, count: number): string[] {
  verifyAttendeeNames(prefix, count);
  return Array.from({ length: count }, (_, i) => `${prefix}-${i + 1}`);
}

/** Runs fn over items, `width` at a time, in order of start; every item settles. */
export async function inPool<T, R>(
  items: T[],
  width: number,
  fn: (item: T, index: number) => Promise<R>,
): Promise<PromiseSettledResult<R>[]> {
  const results: PromiseSettledResult<R>[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      try {
        results[i] = { status: 'fulfilled', value: await fn(items[i], i) };
      } catch (reason) {
        results[i] = { status: 'rejected', reason };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(width, items.length) }, worker));
  return results;
}

export interface AttendeeOutcome {
  instance: string;
  ok: boolean;
  /** From the start of the workshop until this instance was proven (or failed). */
  ms: number;
  exitCode: number;
  error?: string;
  details?: string[];
  /** The attendee's folder: `config` (an OpenSSH config naming their nodes) and `id_ed25519`. */
  sshDir: string;
  /** Up before this run, taken as it is (lab serve adopts a workshop already up). */
  adopted?: boolean;
}

export interface WorkshopOptions extends Omit<UpOptions, 'instance' | 'renderer' | 'verbose'> {
  count: number;
  prefix: string;
  parallel: number;
  /** Instances of this lab already up among PREFIX-1..N are taken as they are, not refused (lab serve). */
  adopt?: boolean;
  /** Told each attendee's outcome as it settles. */
  onSettled?: (o: AttendeeOutcome) => void;
}

/** Refuses, before anything is created, a workshop this host cannot hold: instances that exist
 * already, more memory than is available (the lab's requirements times N), more management
 * networks than are free. */
async function verifyWorkshop(file: string, opts: WorkshopOptions) {
  const { count, prefix } = opts;
  verifyAttendeeNames(prefix, count);
  const host = await gatherHostFacts();
  const opened = openLab(file, opts.set, host, opts.allow ?? []);
  const { lab } = opened;
  const provider = await providerOf(opts.provider ?? lab.provider);
  if (!provider.sideBySide || provider.realizesRoles)
    throw new DefinitionError(
      `--instances runs attendees' instances side by side on one host, which the ${provider.name} provider cannot (${lab.name} would use it)`,
    );
  await provider.verifyHost(lab);
  verifyEmulated(lab);
  if (lab.managementPrefix && count > 1)
    throw new DefinitionError(
      `${lab.name} fixes its management prefix (${lab.managementPrefix}): only one instance of it can run`,
      { details: ['Remove management.prefix from the lab file to run one instance per attendee.'] },
    );
  const names = attendeeNames(prefix, count);
  const records = names.map((n) => readInstance(instanceDir(lab.name, n)));
  // adopted: up, from this very lab file; anything else in the way is refused below
  const adopted = opts.adopt
    ? names.filter((_, i) => records[i]?.status === 'up' && records[i]?.file === file)
    : [];
  const missing = count - adopted.length;
  const need = lab.requirements?.netns?.memory_mb;
  if (need && host.memoryMb !== undefined && need * missing > host.memoryMb)
    throw new PreflightError(
      `${missing} instances of ${lab.name} need ${need * missing} MB of memory (${need} MB each, its requirements.netns.memory_mb); this host has ${host.memoryMb} MB available: at most ${Math.floor(host.memoryMb / need)} at once (nothing was created)`,
      { code: 'host-resources' },
    );
  // every instance needs a management network of its own, free of host routes and running labs
  const taken = [
    ...host.routes,
    ...knownInstances().flatMap((i) => (i.managementPrefix ? [i.managementPrefix] : [])),
  ];
  let free = 0;
  try {
    for (const name of names.filter((n) => !adopted.includes(n))) {
      taken.push(provider.allocateManagement(lab, name, taken).prefix);
      free++;
    }
  } catch (e) {
    if (!(e instanceof PreflightError)) throw e;
    throw new PreflightError(
      `${missing} instances of ${lab.name} need ${missing} management networks; ${free} are free on this host (nothing was created)`,
      {
        code: 'host-resources',
        details: ['Remove other labs (lab status, lab down), or run fewer attendees.'],
      },
    );
  }
  const existing = names.filter((n, i) => records[i] && !adopted.includes(n));
  // those a killed lab up or down left: nothing is starting them any more
  const crashed = names.filter((_, i) => records[i] && isCrashed(records[i]));
  if (existing.length)
    throw new BusyError(
      `${existing.length} of the ${count} attendees' instances exist already: ${existing.join(', ')} (nothing was created)`,
      {
        details: [
          ...(crashed.length
            ? [`${crashed.join(', ')}: left over from a lab up or down that ended before it finished.`]
            : []),
          `Remove them first (lab down ${lab.name} --instances ${count}${opts.prefix === DEFAULT_PREFIX ? '' : ` --prefix ${opts.prefix}`}), or choose another --prefix.`,
        ],
      },
    );
  return { ...opened, host, names, adopted };
}

/** Brings up PREFIX-1..N, `parallel` at a time; every attendee's outcome, failed ones included. An
 * interruption removes every instance this run created, proven ones too. */
export async function workshopUp(
  file: string,
  opts: WorkshopOptions,
): Promise<{ lab: string; outcomes: AttendeeOutcome[]; ms: number }> {
  const started = Date.now();
  const { names, adopted, ...opened } = await verifyWorkshop(file, opts);
  const { lab } = opened;
  const settled = await inPool(names, opts.parallel, async (instance): Promise<AttendeeOutcome> => {
    const sshDir = files(instanceDir(lab.name, instance)).sshDir;
    let outcome: AttendeeOutcome;
    if (adopted.includes(instance)) {
      outcome = { instance, ok: true, ms: 0, exitCode: 0, sshDir, adopted: true };
      opts.onSettled?.(outcome);
      return outcome;
    }
    try {
      if (opts.signal?.aborted) throw new InterruptedError('interrupted before it started');
      await labUp(file, { ...opts, instance, renderer: 'silent', opened });
      outcome = { instance, ok: true, ms: Date.now() - started, exitCode: 0, sshDir };
    } catch (error) {
      const e = error as Error & { details?: string[] };
      outcome = {
        instance,
        ok: false,
        ms: Date.now() - started,
        exitCode: exitCodeOf(error),
        error: e.message,
        details: e.details ?? [],
        sshDir,
      };
    }
    opts.onSettled?.(outcome);
    return outcome;
  });
  const outcomes = settled.map((r) => (r as PromiseFulfilledResult<AttendeeOutcome>).value);
  if (opts.signal?.aborted) {
    // Ctrl-C: those already proven go too, as a single lab up removes what it created
    await inPool(
      outcomes.filter((o) => o.ok && !o.adopted),
      opts.parallel,
      (o) => labDown(lab.name, o.instance),
    );
    // lab down of one attendee's instance signals this process, which holds them all: all stop
    if (opts.signal.reason === CANCEL_SIGNAL)
      throw new CancelledError(
        `cancelled: a lab down of one attendee's instance stopped this lab up --instances; every instance of ${lab.name} it had created is removed`,
      );
    throw new InterruptedError(
      `interrupted: every attendee's instance of ${lab.name} this run had created is removed`,
    );
  }
  return { lab: lab.name, outcomes, ms: Date.now() - started };
}

/** Removes PREFIX-1..N (idempotent, like lab down): each one's result. */
export async function workshopDown(
  lab: string,
  opts: { count: number; prefix: string; parallel: number },
): Promise<{ instance: string; removed: boolean; error?: LabError | Error }[]> {
  const names = attendeeNames(opts.prefix, opts.count);
  const settled = await inPool(names, opts.parallel, (instance) => labDown(lab, instance));
  return names.map((instance, i) => {
    const r = settled[i];
    return r.status === 'fulfilled'
      ? { instance, removed: r.value.removed }
      : { instance, removed: false, error: r.reason as Error };
  });
}
