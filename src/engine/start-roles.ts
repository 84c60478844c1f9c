// Starting a node's roles: their commands in order over the node's shell; daemons' pids go to the journal.
import type { Node } from '../model/lab.js';
import type { ProviderContext } from '../providers/provider.js';
import { roleOf } from '../roles/index.js';
import { type NodeShell, run } from '../transport/shell.js';
import { startTimeOf } from './processes.js';
import { poll } from './wait.js';

/** Starts a node's roles over its shell, in role order; daemons' pids go to the journal. */
export async function startRoles(
  ctx: Pick<ProviderContext, 'lab' | 'journal'>,
  node: Node,
  shell: NodeShell,
  onStep: (s: string) => void,
): Promise<void> {
  for (const role of node.roles) {
    for (const cmd of roleOf(role)?.start?.(ctx.lab, node) ?? []) {
      onStep(cmd.name);
      const id = `process:${node.name}:${cmd.name}`;
      if (cmd.pidfile) ctx.journal.record({ kind: 'process', id, node: node.name, name: cmd.name });
      await run(shell, cmd.run, { timeoutMs: 15_000 });
      if (!cmd.pidfile) continue;
      // forking daemons write their pid file a moment after the parent returns
      const pid = await poll(async () => {
        const r = await shell.exec(`cat ${cmd.pidfile}`, { timeoutMs: 5000 });
        const n = Number.parseInt(r.stdout, 10);
        return { ok: r.exitCode === 0 && n > 0, value: n };
      }, 5000);
      if (!pid.ok)
        throw new Error(
          `${node.name}: ${cmd.name} started but wrote no pid file ${cmd.pidfile} within 5 s (see its log under /var/log on the node)`,
        );
      ctx.journal.update({ id, pid: pid.value, starttime: startTimeOf(pid.value) });
    }
  }
}
