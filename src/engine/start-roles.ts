// Starting a node's roles: all their commands in one script on the node (one process, however many
// daemons), with markers that say which step ran and which pid each daemon wrote.
import { readFile } from 'node:fs/promises';
import type { StartResult } from '../contracts/provider.js';
import type { Lab, Node } from '../core/lab.js';
import type { StartCommand } from '../daemons/daemon.js';
import { hostPidsOf, startTimeOf } from '../host/processes.js';
import { roleOf } from '../roles/index.js';
import { shellQuote } from '../shell-quote.js';
import type { Journal } from './journal.js';

const idOf = (node: string, c: StartCommand) => `process:${node}:${c.name}`;

/** The commands of a node's roles, in role order; its network configuration first, as a VM applies
 * netplan before any service starts. */
export function startCommandsOf(lab: Lab, node: Node): StartCommand[] {
  const roles = [...node.roles].sort(
    (a, b) => Number(b === 'netplan-routes') - Number(a === 'netplan-routes'),
  );
  return roles.flatMap((role) => roleOf(role)?.start?.(lab, node) ?? []);
}

/** One script: each step announced, stopping at the first failure; then each daemon's pid, once written. */
export function startScript(commands: StartCommand[]): string {
  const steps = commands.map((c) => {
    // a test first (a shell builtin): where the provider made the folder, no mkdir process runs
    const dirs = (c.runDirs ?? []).map(
      (d) => `{ [ -d ${shellQuote(d)} ] || mkdir -p ${shellQuote(d)}; } && `,
    );
    const start = `( ${dirs.join('')}${c.run} ) || exit $?`;
    return `echo ${shellQuote(`>> ${c.name}`)}\n${c.pidfile && c.program ? keptIfRunning(c.pidfile, c.program, start) : start}`;
  });
  // forking daemons write their pid file a moment after the parent returns: wait up to 5 s each. The
  // pid is read by the shell itself, not by a cat in a subshell: two processes fewer per daemon
  const pids = commands
    .filter((c) => c.pidfile)
    .map(
      (c) =>
        `i=0; while [ ! -s ${c.pidfile} ] && [ $i -lt 250 ]; do sleep 0.02; i=$((i+1)); done; p=; { read -r p < ${c.pidfile}; } 2>/dev/null || :; echo "<< ${c.name} $p"`,
    );
  return commands.length ? `${[...steps, ...pids].join('\n')}\n` : '';
}

/** A daemon its pid file names, alive under its own name, is kept: a `lab step` run again after Ctrl-C
 * (or a kill) found the daemons its first try had started, and a second nginx failed on its taken port.
 * Read by the shell's builtins, no process; a stale pid file (the daemon gone, its pid another
 * process's) starts the daemon as before. */
function keptIfRunning(pidfile: string, program: string, start: string): string {
  return `if { read -r p < ${shellQuote(pidfile)} && read -r comm < "/proc/$p/comm" && [ "$comm" = ${shellQuote(program)} ]; } 2>/dev/null; then :; else ${start}; fi`;
}

/** The folders under /run these commands need, each once. */
export function runDirsOf(commands: StartCommand[]): string[] {
  return [...new Set(commands.flatMap((c) => c.runDirs ?? []))];
}

/** Journals the daemons a node will start, before they exist. */
export function recordStart(journal: Journal, node: string, commands: StartCommand[]): void {
  for (const c of commands)
    if (c.pidfile)
      journal.record({ kind: 'process', id: idOf(node, c), node, name: c.name, pidfile: c.pidfile });
}

/** Reads how the start script went: its pids go to the journal; a failure names its step and output. */
export async function completeStart(
  journal: Journal,
  node: string,
  commands: StartCommand[],
  result: StartResult,
): Promise<void> {
  const stdout =
    result.stdout ?? (result.logFile ? await readFile(result.logFile, 'utf8').catch(() => '') : '');
  const lines = stdout.split('\n');
  const pids = new Map<string, number>();
  for (const l of lines) {
    const m = /^<< (\S+) (\d+)$/.exec(l);
    if (m) pids.set(m[1], Number(m[2]));
  }
  // a node in its own PID namespace (netns: the holder is its init) reports that namespace's pids:
  // the journal keeps host pids, and a pid not found among the holder's descendants is not recorded
  const init = journal.pidOf(`process:${node}:holder`);
  const host = init ? hostPidsOf(init, [...pids.values()]) : undefined;
  // record what started even when a later step failed: teardown must find it
  for (const c of commands) {
    const reported = pids.get(c.name);
    const pid = reported && (host ? host.get(reported) : reported);
    if (pid) journal.update({ id: idOf(node, c), pid, starttime: startTimeOf(pid) });
    else if (reported && host) pids.delete(c.name); // gone already: said below as wrote no pid
  }
  if (result.exitCode !== 0) {
    const step =
      lines
        .filter((l) => l.startsWith('>> '))
        .pop()
        ?.slice(3) ?? commands[0]?.name;
    const cmd = commands.find((c) => c.name === step);
    const output = (result.stderr || lines.filter((l) => !/^(>>|<<) /.test(l)).join('\n'))
      .trim()
      .split('\n')
      .slice(-5)
      .join('\n  ');
    const how = result.timedOut ? 'timed out' : `exited with ${result.exitCode}`;
    throw new Error(
      `${node}: ${step} failed: \`${cmd?.run ?? 'the start script'}\` ${how}${output ? `:\n  ${output}` : ''}`,
    );
  }
  const missing = commands.filter((c) => c.pidfile && !pids.get(c.name));
  if (missing.length) {
    const which = missing.map((c) => `${c.name} wrote no pid file ${c.pidfile}`).join(', ');
    throw new Error(`${node}: ${which} within 5 s (its log is under /var/log on the node)`);
  }
}
