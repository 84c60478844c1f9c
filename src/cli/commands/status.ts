// lab status: the instances on this host, their nodes and whether their processes still run.
import { healthOf, runs } from '../../engine/health.js';
import { damagedInstances, knownInstances } from '../../engine/host-instances.js';
import { type InstanceRecord, isCrashed } from '../../engine/instances.js';
import { journalOf, loadNodes } from '../../engine/state.js';
import { DefinitionError, NotUpError } from '../../errors.js';
import { openLab } from '../../model/open.js';
import { verifyInstanceName } from '../../paths.js';
import { printable } from '../../printable.js';
import { readStanding } from '../../steps/standing.js';
import { allowedBanner } from '../output.js';

// a workshop's instances share their lab file: it is opened once, not once per attendee
const stepNames = new Map<string, { names: string[]; optional: string[] }>();
function stepNamesOf(r: InstanceRecord): { names: string[]; optional: string[] } {
  const key = JSON.stringify([r.file, r.sets]);
  let found = stepNames.get(key);
  if (!found) {
    try {
      const { steps } = openLab(r.file, r.sets).lab;
      found = {
        names: steps.filter((s) => !s.optional).map((s) => s.name),
        optional: steps.filter((s) => s.optional).map((s) => s.name),
      };
    } catch {
      // the lab file changed or went away since up: the steps done are still known
      found = { names: [], optional: [] };
    }
    stepNames.set(key, found);
  }
  return found;
}

/** Where the instance stands in its lab's steps, and how its checks went last (a workshop's glance). */
function stepsOf(r: InstanceRecord) {
  const standing = readStanding(r.dir);
  const results = Object.values(standing.checks);
  const checks = { passed: results.filter((c) => c.ok).length, failed: results.filter((c) => !c.ok).length };
  const { names, optional } = stepNamesOf(r);
  const done = standing.done;
  return {
    done,
    next: names.find((n) => !done.includes(n)),
    total: names.length,
    // the traps run on purpose (optional steps): they break what the steps built
    ...(done.some((n) => optional.includes(n)) ? { traps: done.filter((n) => optional.includes(n)) } : {}),
    checks,
  };
}

async function describe(r: InstanceRecord) {
  const resources = journalOf(r.dir).resources();
  const procs = resources.flatMap((x) => (x.kind === 'process' && x.pid ? [x] : []));
  const dead = procs.filter((p) => !runs(p, resources)).map((p) => `${p.node}:${p.name}`);
  const nodes = loadNodes(r.dir).map((t) => ({ node: t.node, address: t.host }));
  // what the host holds, not only what the journal says
  const health = await healthOf(
    r,
    nodes.map((n) => n.node),
  ).catch(() => undefined);
  return {
    lab: r.lab,
    instance: r.instance,
    // a crash leftover says so: lab gc removes it
    status: isCrashed(r) ? `crashed while ${r.status}` : r.status,
    management: r.managementPrefix,
    since: r.createdAt,
    nodes,
    processes: procs.length,
    dead,
    host: health && {
      namespaces: health.hostNamespaces,
      processes: health.hostProcesses,
      problems: health.problems.map((p) => `${p.node}: ${p.problem}`),
    },
    allowed: r.allowed ?? [],
    steps: stepsOf(r),
  };
}

/** One line per instance: a workshop's thirty attendees on one screen. */
function briefLine(s: Awaited<ReturnType<typeof describe>>): string {
  const problems = s.host?.problems ?? [];
  const health = problems.length
    ? `broken: ${problems.join('; ')}`
    : s.dead.length
      ? `${s.dead.length} processes dead`
      : 'healthy';
  const { steps } = s;
  const done = steps.done.length - (steps.traps?.length ?? 0);
  const where = !steps.total
    ? 'no steps'
    : steps.next
      ? `steps ${done}/${steps.total}, next ${steps.next}`
      : `steps ${done}/${steps.total} done`;
  const checks = steps.checks.passed + steps.checks.failed;
  return [
    `${s.lab}/${s.instance}`.padEnd(28),
    s.status.padEnd(8),
    where.padEnd(28),
    (checks ? `checks ${steps.checks.passed} ok ${steps.checks.failed} failed` : 'checks -').padEnd(24),
    health,
  ].join(' ');
}

export async function status(
  lab: string | undefined,
  opts: { json?: boolean; brief?: boolean; instance?: string },
): Promise<void> {
  const { instance } = opts;
  if (instance !== undefined) {
    if (!lab)
      throw new DefinitionError('lab status -i INSTANCE needs the lab: lab status LAB -i INSTANCE', {
        code: 'usage',
      });
    verifyInstanceName(instance);
  }
  const wanted = (r: { lab: string; instance: string }) =>
    (!lab || r.lab === lab) && (instance === undefined || r.instance === instance);
  const list = await Promise.all(knownInstances().filter(wanted).map(describe));
  const damaged = damagedInstances().filter(wanted);
  // one instance asked for by name, and none there: as lab check and lab exec say it (exit 7)
  if (lab && instance !== undefined && !list.length && !damaged.length)
    throw new NotUpError(`${lab} (instance ${instance}) is not up`, {
      details: [`Start it with: lab up ${lab} -i ${instance}`],
    });
  if (opts.json) {
    console.log(JSON.stringify([...list, ...damaged.map((d) => ({ ...d, status: 'damaged' }))], null, 2));
    return;
  }
  for (const d of damaged)
    console.log(
      `${d.lab} (instance ${d.instance}): damaged (${d.dir}/instance.json unreadable): lab down removes it`,
    );
  if (!list.length && !damaged.length) console.log(lab ? `${lab}: no instance is up` : 'no lab is up');
  if (opts.brief) {
    // in name order, attendee-2 before attendee-10
    const sorted = [...list].sort((a, b) =>
      `${a.lab}/${a.instance}`.localeCompare(`${b.lab}/${b.instance}`, 'en', { numeric: true }),
    );
    for (const s of sorted) console.log(briefLine(s));
    return;
  }
  for (const s of list) {
    const problems = s.host?.problems ?? [];
    const running =
      s.host?.processes !== undefined
        ? `${s.host.processes} processes running in ${s.host.namespaces} namespaces`
        : `${s.processes} processes running`;
    const dead = s.dead.length
      ? `${s.dead.length} of ${s.processes} processes dead: ${s.dead.join(', ')}`
      : '';
    const health = problems.length
      ? [dead, `broken: ${problems.join('; ')}`].filter(Boolean).join('; ')
      : dead || running;
    console.log(
      `${s.lab} (instance ${s.instance}): ${s.status}, ${s.nodes.length} nodes, management ${s.management}, ${health}`,
    );
    if (s.allowed.length) {
      for (const line of allowedBanner(s.lab, s.allowed)) console.log(`  ${line}`);
      for (const a of s.allowed) console.log(`    [${a.code}] ${printable(a.message)}`);
    }
    const { steps } = s;
    const checks = steps.checks.passed + steps.checks.failed;
    if (steps.total)
      console.log(
        `  steps: ${steps.done.length - (steps.traps?.length ?? 0)} of ${steps.total} done${steps.done.length ? ` (${steps.done.join(', ')})` : ''}, next: ${steps.next ?? 'none (complete)'}${steps.traps ? `; broken on purpose by ${steps.traps.join(', ')}` : ''}`,
      );
    if (checks)
      console.log(`  checks, last run: ${steps.checks.passed} passed, ${steps.checks.failed} failed`);
    for (const n of s.nodes) console.log(`  ${n.node.padEnd(16)} ${n.address}`);
  }
}
