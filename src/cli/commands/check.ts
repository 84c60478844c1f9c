// lab check: the lab's checks again on a running instance, in file order as lab up runs them; exit 5
// naming what failed.
import { type CheckOutcome, describeFailure, runChecksInOrder, verdictLine } from '../../engine/checks.js';
import { healthOf } from '../../engine/health.js';
import { readInstance } from '../../engine/instances.js';
import { lockOwner } from '../../engine/lock.js';
import { openShells } from '../../engine/shells.js';
import { requireInstance } from '../../engine/state.js';
import { CancelledError, CheckError } from '../../errors.js';
import { openLab } from '../../model/open.js';
import { printable } from '../../printable.js';
import { providerOf } from '../../providers/index.js';
import { recordChecks } from '../../steps/standing.js';
import { labNameOf } from '../lab-name.js';

export async function check(
  ref: string,
  opts: { instance: string; json?: boolean; wait?: boolean },
): Promise<void> {
  const { lab: name, instance } = await labNameOf(ref, opts.instance);
  const record = requireInstance(name, instance);
  const { carrier } = await providerOf(record.provider);
  if (carrier) {
    // the lab runs inside one machine: its checks there
    const { forwardToCarrier } = await import('../../engine/carried-up.js');
    const args = [
      'check',
      name,
      '-i',
      instance,
      ...(opts.json ? ['--json'] : []),
      ...(opts.wait ? ['--wait'] : []),
    ];
    process.exitCode = await forwardToCarrier(carrier, record, args);
    return;
  }
  const { lab } = openLab(record.file, record.sets, undefined, record.allowed?.map((x) => x.code) ?? []);
  // the lab's own health first: a node whose machine or daemons are gone fails the check, by name
  const { problems } = await healthOf(
    record,
    lab.nodes.map((n) => ({ name: n.name, interfaces: n.interfaces.map((i) => i.name) })),
  );
  for (const p of problems) if (!opts.json) console.log(`✖ health on ${p.node}: ${printable(p.problem)}`);
  const shells = await openShells(record);
  try {
    // in file order, as lab up runs them: one try each, or each under its named wait with --wait
    // a lab down that comes meanwhile ends the run (the checks left would each wait on a lab gone)
    const removed = new AbortController();
    const gone = () => !readInstance(record.dir) || lockOwner(name, instance)?.command === 'down';
    const watch = setInterval(() => {
      if (gone()) removed.abort();
    }, 200);
    const outcomes: CheckOutcome[] = await runChecksInOrder(lab, (node) => shells.get(node)!, {
      wait: !!opts.wait,
      signal: removed.signal,
    }).finally(() => clearInterval(watch));
    // a lab down that came meanwhile removed the lab under the checks: their failures say nothing of
    // it (they read "6 of 6 checks failed … Connection lost before handshake", exit 5)
    const owner = lockOwner(name, instance);
    if (removed.signal.aborted || gone())
      throw new CancelledError(
        `cancelled: lab down${owner?.command === 'down' ? ` (pid ${owner.pid})` : ''} removed ${name} (instance ${instance}) while it was being checked`,
      );
    // a command that timed out on a node with a stopped daemon: the reason says which one, not only
    // "exit 124 (timed out)"
    for (const o of outcomes) {
      const stopped = problems.filter((p) => p.node === o.check.node && /is stopped/.test(p.problem));
      if (!o.verdict.ok && o.results.some((r) => r.timedOut) && stopped.length)
        o.verdict = {
          ...o.verdict,
          reason: `${o.verdict.reason}; on ${o.check.node}, ${stopped.map((p) => p.problem.replace(/: it answers.*/, '')).join(', ')}`,
        };
    }
    const results = [
      ...problems.map((p) => ({ check: 'health', node: p.node, ok: false, reason: p.problem, ms: 0 })),
      ...outcomes.map((o) => ({
        check: o.check.name,
        node: o.check.node,
        ok: o.verdict.ok,
        ...(o.verdict.ok ? { detail: o.verdict.detail } : { reason: o.verdict.reason }),
        ms: o.waitedMs,
      })),
    ];
    const failed = outcomes.filter((o) => !o.verdict.ok);
    // what lab status shows as the last run: it said "6 passed" from up after a check that failed
    try {
      recordChecks(
        record.dir,
        outcomes.map((o) => ({ name: o.check.name, ok: o.verdict.ok })),
      );
    } catch {
      // a read-only state folder: the verdict is said all the same
    }
    // under --json, one document: the results when all passed, else the refusal carrying them
    if (opts.json && !problems.length && !failed.length) console.log(JSON.stringify(results, null, 2));
    if (!opts.json) {
      for (const o of outcomes) console.log(printable(verdictLine(o.check, o.verdict)));
    }
    // a broken node fails the check even when every check passes (a spread with a backend less)
    if (problems.length) {
      const nodes = [...new Set(problems.map((p) => p.node))];
      throw new CheckError(
        `${name} (instance ${instance}) is broken on ${nodes.join(', ')}; ${failed.length} of ${outcomes.length} checks failed`,
        {
          details: [
            ...problems.map((p) => `  health on ${p.node}: ${p.problem}`),
            ...failed.flatMap(describeFailure),
          ],
          json: { results },
        },
      );
    }
    if (failed.length)
      throw new CheckError(
        `${failed.length} of ${outcomes.length} checks failed on ${name} (instance ${instance})`,
        { details: failed.flatMap(describeFailure), json: { results } },
      );
  } finally {
    for (const s of shells.values()) s.close();
  }
}
