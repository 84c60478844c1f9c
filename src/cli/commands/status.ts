// lab status: the instances on this host, their nodes and whether their processes still run.
import { type InstanceRecord, isCrashed } from '../../engine/instances.js';
import { knownInstances } from '../../engine/registry.js';
import { journalOf, loadNodes } from '../../engine/state.js';
import { isAlive } from '../../host/processes.js';

function describe(r: InstanceRecord) {
  const procs = journalOf(r.dir)
    .resources()
    .flatMap((x) => (x.kind === 'process' && x.pid ? [x] : []));
  const dead = procs.filter((p) => !isAlive(p.pid!, p.starttime)).map((p) => `${p.node}:${p.name}`);
  return {
    lab: r.lab,
    instance: r.instance,
    // a crash leftover says so: lab gc removes it
    status: isCrashed(r) ? `crashed while ${r.status}` : r.status,
    management: r.managementPrefix,
    since: r.createdAt,
    nodes: loadNodes(r.dir).map((t) => ({ node: t.node, address: t.host })),
    processes: procs.length,
    dead,
  };
}

export async function status(lab: string | undefined, opts: { json?: boolean }): Promise<void> {
  const list = knownInstances()
    .filter((r) => !lab || r.lab === lab)
    .map(describe);
  if (opts.json) {
    console.log(JSON.stringify(list, null, 2));
    return;
  }
  if (!list.length) console.log(lab ? `${lab}: no instance is up` : 'no lab is up');
  for (const s of list) {
    const health = s.dead.length
      ? `${s.dead.length} of ${s.processes} processes dead: ${s.dead.join(', ')}`
      : `${s.processes} processes running`;
    console.log(
      `${s.lab} (instance ${s.instance}): ${s.status}, ${s.nodes.length} nodes, management ${s.management}, ${health}`,
    );
    for (const n of s.nodes) console.log(`  ${n.node.padEnd(16)} ${n.address}`);
  }
}
