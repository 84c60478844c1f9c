// One command measured as a whole: its wall time, the CPU of it and every child it waited for (bash's
// `times`, so a shell script and a Node command count alike), and, for Node, its own peak memory.
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';

export interface Measured {
  ms: number;
  /** user + system CPU of the command and its waited-for children, ms */
  cpuMs: number;
  /** peak resident memory of the Node process itself, kB (NaN for other commands) */
  peakKb: number;
  exitCode: number;
  all: string;
}

const RUSAGE_HOOK = join(import.meta.dirname ?? '', 'rusage-on-exit.js');

/** `times` prints the shell's own line, then its children's: `0m0.660s 0m0.110s`. */
function childrenCpuMs(out: string): number {
  const line = out.trimEnd().split('\n').at(-1) ?? '';
  const m = /^(\d+)m([\d.]+)s (\d+)m([\d.]+)s$/.exec(line.trim());
  if (!m) return Number.NaN;
  return (Number(m[1]) * 60 + Number(m[2]) + Number(m[3]) * 60 + Number(m[4])) * 1000;
}

export async function measure(
  command: string[],
  env: Record<string, string>,
  tmp: string,
): Promise<Measured> {
  const node = command[0] === 'node';
  const rusage = join(tmp, `rusage-${process.pid}.json`);
  rmSync(rusage, { force: true });
  const argv = node ? ['node', '--import', RUSAGE_HOOK, ...command.slice(1)] : command;
  const t = performance.now();
  // the command's output goes to stderr (all), so that stdout holds nothing but `times`
  const r = await execa('bash', ['-c', '"$@" >&2; rc=$?; times; exit $rc', 'bash', ...argv], {
    env: { ...env, BENCH_RUSAGE: rusage },
    reject: false,
    all: true,
  });
  const ms = performance.now() - t;
  let peakKb = Number.NaN;
  if (node) {
    try {
      peakKb = JSON.parse(readFileSync(rusage, 'utf8')).maxRSS;
    } catch {}
    rmSync(rusage, { force: true });
  }
  return { ms, cpuMs: childrenCpuMs(r.stdout), peakKb, exitCode: r.exitCode ?? -1, all: r.all ?? '' };
}
