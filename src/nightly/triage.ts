// A triage bundle per failing node, taken before teardown: what failed (the check's command, reason and
// output, or the step's error), the daemons' own view (BIRD, GoBGP, FRR), the kernel's (routes, links,
// nftables), and the node's logs. Only our fixed commands run; nothing from the lab file is re-run.
import { closeSync, constants, fstatSync, lstatSync, openSync, readdirSync, readSync } from 'node:fs';
import { join } from 'node:path';
import type { InstanceRecord } from '../engine/instances.js';
import { openShells } from '../engine/shells.js';
import { journalOf } from '../engine/state.js';
import { runCommand } from '../host/command.js';
import { makeFolderInside, writeInside } from '../host/output.js';
import { outputTail, printable } from '../printable.js';
import { underSeccomp } from '../providers/netns/seccomp.js';
import type { CheckResult, TriageNode } from '../report/results.js';
import { REPORT_TARGET } from '../report/write.js';
import type { NodeShell } from '../transport/shell.js';

/** What every bundle holds; a daemon's commands run only where its control socket or port exists. */
export const TRIAGE_COMMANDS: { title: string; run: string }[] = [
  { title: 'ip -br addr', run: 'ip -br addr' },
  { title: 'ip route', run: 'ip route; ip -6 route' },
  { title: 'ip -d link', run: 'ip -d link' },
  { title: 'nft list ruleset', run: 'nft list ruleset' },
  {
    title: 'birdc show protocols all',
    run: 'if [ -S /run/bird/bird.ctl ]; then birdc show protocols all; else echo "(BIRD is not running: no /run/bird/bird.ctl)"; fi',
  },
  {
    title: 'gobgp neighbor',
    run: 'if ss -ltn | grep -q ":50051 "; then gobgp neighbor; gobgp global rib; else echo "(GoBGP is not running: nothing listens on 50051)"; fi',
  },
  {
    title: "vtysh -c 'show bgp summary'",
    run: 'if [ -S /run/frr/bgpd.vty ]; then vtysh --vty_socket /run/frr -c "show bgp summary" -c "show ip route"; else echo "(FRR bgpd is not running: no /run/frr/bgpd.vty)"; fi',
  },
];

const LOG_TAIL_BYTES = 256 * 1024;

export interface TriageInput {
  record: InstanceRecord;
  cycle: number;
  failedChecks: CheckResult[];
  failedSteps: { node?: string; step: string; error: string }[];
  /** report folder, and the bundle's folder relative to it */
  reportDir: string;
  bundleDir: string;
}

/** Runs a command in the node's namespaces from the host, through its holder: for a node whose sshd is
 * gone. As the node's root (its user namespace, under its seccomp filter), never the host's: the shell
 * runs the node's files (its /etc/ld.so.preload too), which the node's root may have written. */
export function holderShell(record: InstanceRecord, node: string): NodeShell | undefined {
  const holder = journalOf(record.dir)
    .resources()
    .find((r) => r.id === `process:${node}:holder`);
  if (holder?.kind !== 'process' || !holder.pid) return undefined;
  const pid = String(holder.pid);
  return {
    node,
    async exec(command, opts) {
      const started = Date.now();
      const [program, args] = underSeccomp([
        '/usr/bin/nsenter',
        '-t',
        pid,
        '-U',
        '-n',
        '-m',
        '-u',
        '-i',
        '-p',
        'sh',
        '-c',
        command,
      ]);
      const r = await runCommand(program, args, {
        timeoutMs: opts?.timeoutMs ?? 5000,
      }).catch((e: Error) => ({ exitCode: -1, stdout: '', stderr: e.message, timedOut: false }));
      return {
        node,
        command,
        exitCode: r.exitCode,
        stdout: r.stdout,
        stderr: r.stderr,
        durationMs: Date.now() - started,
        timedOut: r.timedOut,
      };
    },
    putFile: async () => undefined,
    close: () => undefined,
  };
}

/** The end of a log the node wrote; never through a link (its root may point one at the host's files). */
function tailOf(file: string): string {
  const fd = openSync(file, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) return '';
    const size = stat.size;
    const length = Math.min(size, LOG_TAIL_BYTES);
    const buffer = Buffer.alloc(length);
    readSync(fd, buffer, 0, length, size - length);
    return buffer.toString('utf8');
  } finally {
    closeSync(fd);
  }
}

async function bundleNode(input: TriageInput, node: string): Promise<TriageNode> {
  const { record, reportDir, bundleDir, cycle } = input;
  const bundle = join(bundleDir, node);
  makeFolderInside(reportDir, join(bundle, 'log'), REPORT_TARGET);
  const out: string[] = [
    `# triage: ${record.lab} (instance ${record.instance}), cycle ${cycle}, node ${node}`,
    '',
  ];
  for (const c of input.failedChecks.filter((c) => c.node === node)) {
    out.push(`## check ${c.name} failed after ${(c.waitedMs / 1000).toFixed(1)} s, ${c.attempts} attempts`);
    out.push(
      `command: ${printable(c.command)}`,
      `reason: ${printable(c.reason ?? '')}`,
      'last output:',
      printable(outputTail(c.output || '(none)')),
      '',
    );
  }
  for (const s of input.failedSteps.filter((s) => s.node === node))
    out.push(`## step ${s.step} failed`, s.error, '');
  // the checks' own path first (SSH, through the route guard); the holder's namespaces when sshd is gone
  let shell: NodeShell | undefined;
  let via = 'ssh';
  try {
    shell = (await openShells(record, [node])).get(node);
    await shell!.exec('true', { timeoutMs: 5000 });
  } catch (e) {
    shell?.close();
    shell = holderShell(record, node);
    via = `nsenter (SSH failed: ${(e as Error).message.split('\n')[0]})`;
  }
  out.push(`(commands below ran over ${via})`, '');
  for (const c of TRIAGE_COMMANDS) {
    out.push(`## $ ${c.title}`);
    if (!shell) {
      out.push('(the node is unreachable: no SSH and no holder process)', '');
      continue;
    }
    const r = await shell.exec(c.run, { timeoutMs: 5000 }).catch((e: Error) => ({
      stdout: '',
      stderr: e.message,
      exitCode: -1,
      timedOut: false,
    }));
    out.push(printable(outputTail(`${r.stdout}${r.stderr ? `\n${r.stderr}` : ''}`.trim())) || '(no output)');
    if (r.exitCode !== 0) out.push(`(exit ${r.exitCode}${r.timedOut ? ', timed out' : ''})`);
    out.push('');
  }
  shell?.close();
  // the daemons' logs (BIRD, gobgpd, sshd, the start script), as the node wrote them under /var/log
  const logs = join(record.dir, 'nodes', node, 'log');
  const copied: string[] = [];
  for (const name of (() => {
    try {
      return readdirSync(logs);
    } catch {
      return [];
    }
  })()) {
    const file = join(logs, name);
    if (!lstatSync(file).isFile()) continue;
    writeInside(reportDir, join(bundle, 'log', name), tailOf(file), REPORT_TARGET);
    copied.push(`log/${name}`);
  }
  out.push('## logs', copied.length ? copied.join('\n') : '(none)', '');
  writeInside(reportDir, join(bundle, 'triage.txt'), out.join('\n'), REPORT_TARGET);
  return { node, file: join(bundleDir, node, 'triage.txt') };
}

/** One bundle per failing node: the nodes of failed checks and of failed steps. */
export async function takeTriage(input: TriageInput): Promise<TriageNode[]> {
  const nodes = [
    ...new Set([
      ...input.failedChecks.map((c) => c.node),
      ...input.failedSteps.flatMap((s) => (s.node ? [s.node] : [])),
    ]),
  ];
  const bundles: TriageNode[] = [];
  for (const node of nodes) bundles.push(await bundleNode(input, node));
  return bundles;
}
