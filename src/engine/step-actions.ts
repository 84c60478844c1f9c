// A step's failures and repairs, declared in the lab file: interfaces down and up again (isolate and
// restore: all of a node's), a daemon stopped and started again. Each runs on its node over its shell.
import { type Lab, nodeByName, type Step, type StepAction } from '../core/lab.js';
import { staticRoutes } from '../net/static-routes.js';
import { shellQuote } from '../shell-quote.js';
import type { SshShell } from '../transport/ssh.js';
import type { Journal } from './journal.js';
import { completeStart, recordStart, startCommandsOf, startScript } from './start-roles.js';

/** The shell script of a link action. Down: the interfaces only. Up: the interfaces, then what the
 * kernel dropped with them (IPv6 addresses leave with the link, static routes with their gateway's). */
export function linkScript(lab: Lab, action: Extract<StepAction, { interfaces: string[] }>): string {
  const node = nodeByName(lab, action.node)!;
  const lines = action.interfaces.map(
    (i) => `ip link set dev ${shellQuote(i)} ${action.kind === 'link_down' ? 'down' : 'up'}`,
  );
  if (action.kind === 'link_up') {
    for (const ifc of node.interfaces.filter((x) => action.interfaces.includes(x.name))) {
      if (ifc.cidr) lines.push(`ip addr replace ${shellQuote(ifc.cidr)} dev ${shellQuote(ifc.name)}`);
      if (ifc.cidr6)
        lines.push(`ip -6 addr replace ${shellQuote(ifc.cidr6)} dev ${shellQuote(ifc.name)} nodad`);
    }
    // a route whose other gateways are still down fails: the rest come back
    for (const r of staticRoutes(node.routes))
      lines.push(
        `ip ${r
          .replace(/^route add /, 'route replace ')
          .split(' ')
          .map(shellQuote)
          .join(' ')} 2>/dev/null || true`,
      );
  }
  return `set -e\n${lines.join('\n')}\n`;
}

/** Stops a daemon by its pid file and waits (5 s at most) until it is gone. */
export function stopScript(pidfile: string): string {
  const f = shellQuote(pidfile);
  return [
    `pid=$(cat ${f} 2>/dev/null) || { echo "no pid file ${pidfile}: not running" >&2; exit 1; }`,
    'kill "$pid"',
    'i=0; while kill -0 "$pid" 2>/dev/null && [ $i -lt 250 ]; do sleep 0.02; i=$((i+1)); done',
    `kill -0 "$pid" 2>/dev/null && { echo "pid $pid still runs 5 s after SIGTERM" >&2; exit 1; }`,
    `rm -f ${f}`,
    '',
  ].join('\n');
}

/** Runs the step's actions in order; a failure names the step, the action and what the node said. */
export async function runStepActions(
  lab: Lab,
  step: Step,
  on: { journal: Journal; shellOf: (node: string) => SshShell; log?: (line: string) => void },
): Promise<void> {
  const { journal, shellOf, log } = on;
  for (const action of step.actions ?? []) {
    log?.(action.text);
    const shell = shellOf(action.node);
    if (action.kind === 'start') {
      const node = nodeByName(lab, action.node)!;
      const commands = startCommandsOf(lab, node).filter((c) => c.name === action.daemon);
      // journalled again: the new pid replaces the stopped one, so teardown finds it
      recordStart(journal, node.name, commands);
      const result = await shell.exec(startScript(commands), { timeoutMs: 30_000 });
      await completeStart(journal, node.name, commands, result).catch((e: Error) => {
        throw new Error(`step ${step.name}: ${action.text}: ${e.message}`);
      });
      continue;
    }
    const script = 'pidfile' in action ? stopScript(action.pidfile) : linkScript(lab, action);
    const r = await shell.exec(script, { timeoutMs: 30_000 });
    if (r.exitCode !== 0)
      throw new Error(
        `step ${step.name}: ${action.text} failed (exit ${r.exitCode}): ${`${r.stderr}${r.stdout}`.trim().split('\n').slice(-3).join('; ')}`,
      );
  }
}
