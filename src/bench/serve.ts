// The workshop server under a workshop's load: lab serve with 30 attendees, each with one terminal
// socket open (a WebSocket client speaking the browser terminal's protocol, as xterm.js does), and
// measured: the server's memory (PSS), a keystroke's echo (sent on a socket until the node's shell
// echoes it back through the server), a step's Check from the request to its result, and the server's
// CPU over an idle minute with every terminal open: what reading each attendee's health every 15 s
// costs (the server does nothing else then).
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import WebSocket from 'ws';

export const SERVE_ATTENDEES = Number(process.env.BENCH_SERVE_ATTENDEES ?? 30);
/** The idle stretch the server's CPU is measured over (s). */
const IDLE_S = Number(process.env.BENCH_SERVE_IDLE_S ?? 60);

export interface ServeFigures {
  attendees: number;
  pssKb: number;
  echoMs: number[];
  checkMs: number[];
  /** The server's CPU (user + system) over IDLE_S idle seconds, terminals open: its health polls. */
  idleCpuMs: number;
  idleS: number;
}

interface Served {
  instructor: string;
  port: number;
  attendees: { url: string }[];
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const TICK_MS = 1000 / Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim() || 100);
/** A process's CPU so far (user + system, ms), from /proc/PID/stat (fields 14 and 15). */
const cpuMsOf = (pid: number) => {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * TICK_MS;
};
const pssOf = (pid: number) =>
  Number(/^Pss:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'))?.[1] ?? 0);

function startServe(
  labBin: string,
  env: NodeJS.ProcessEnv,
  prefix: string,
): Promise<{ child: ChildProcess; served: Served }> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      'node',
      [
        labBin,
        'serve',
        'bgp-metallb',
        '--instances',
        String(SERVE_ATTENDEES),
        '--prefix',
        prefix,
        '--to',
        'router',
        '--set',
        'workers=1',
        '--port',
        '0',
        '--ssh-port',
        '0',
        '--json',
      ],
      { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    let err = '';
    child.stdout!.on('data', (d) => {
      out += d;
      try {
        resolve({ child, served: JSON.parse(out) as Served });
      } catch {
        // not whole yet
      }
    });
    child.stderr!.on('data', (d) => {
      err += d;
    });
    child.on('exit', (code) => reject(new Error(`lab serve exited ${code}: ${err.slice(-2000)}`)));
  });
}

/** A terminal socket on the attendee's router, open once its shell has printed its prompt. */
async function openTerminal(port: number, url: string) {
  const path = new URL(url).pathname;
  const ws = new WebSocket(`ws://127.0.0.1:${port}${path}terminal/router`, {
    origin: `http://127.0.0.1:${port}`,
  });
  let out = '';
  ws.on('message', (d) => {
    out += d.toString();
  });
  await new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });
  ws.send(JSON.stringify({ resize: { cols: 120, rows: 40 } }));
  const until = Date.now() + 30_000;
  while (!/[#$] $/.test(out) && Date.now() < until) await sleep(50);
  return {
    ws,
    /** One key: the time until the shell's echo of it comes back. */
    async key(ch: string): Promise<number> {
      const before = out.length;
      const t = performance.now();
      ws.send(ch);
      while (!out.slice(before).includes(ch)) {
        if (performance.now() - t > 10_000) throw new Error('no echo in 10 s');
        await new Promise((r) => setImmediate(r));
      }
      return performance.now() - t;
    },
  };
}

export async function serveBench(
  labBin: string,
  env: NodeJS.ProcessEnv,
  prefix: string,
  down: () => Promise<void>,
): Promise<ServeFigures> {
  const { child, served } = await startServe(labBin, env, prefix);
  try {
    const terminals = [];
    for (const a of served.attendees) terminals.push(await openTerminal(served.port, a.url));
    await sleep(1000);
    const pssKb = pssOf(child.pid!);
    // keystrokes round-robin over every terminal, each echoed before the next
    const echoMs: number[] = [];
    for (let round = 0; round < 5; round++)
      for (const t of terminals) {
        echoMs.push(await t.key('x'));
      }
    // Check of step router by 10 attendees, one after another, with every terminal still open
    const checkMs: number[] = [];
    for (const a of served.attendees.slice(0, 10)) {
      const t = performance.now();
      const r = await fetch(`${a.url}check/router`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{}',
      });
      const result = (await r.json()) as { ok?: boolean; error?: string };
      if (!result.ok) throw new Error(`Check router failed: ${JSON.stringify(result)}`);
      checkMs.push(performance.now() - t);
    }
    // an idle minute, every terminal still open: the server reads each attendee's health every 15 s
    const cpuBefore = cpuMsOf(child.pid!);
    await sleep(IDLE_S * 1000);
    const idleCpuMs = cpuMsOf(child.pid!) - cpuBefore;
    for (const t of terminals) t.ws.close();
    return { attendees: served.attendees.length, pssKb, echoMs, checkMs, idleCpuMs, idleS: IDLE_S };
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
    await down();
  }
}

const at = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.floor(q * (s.length - 1)))] : Number.NaN;
};

/** The rows: what, figure, unit. */
export function serveFigures(f: ServeFigures): [string, number, string][] {
  const n = f.attendees;
  return [
    [`lab serve, ${n} attendees with one terminal open each: server memory (PSS)`, f.pssKb / 1024, 'MB'],
    [`lab serve, ${n} terminals: keystroke echo, median`, at(f.echoMs, 0.5), 'ms'],
    [`lab serve, ${n} terminals: keystroke echo, p95`, at(f.echoMs, 0.95), 'ms'],
    [`lab serve, ${n} terminals: Check (step router) to its result, median`, at(f.checkMs, 0.5), 'ms'],
    [
      `lab serve, ${n} attendees idle, terminals open: server CPU per minute (health read every 15 s)`,
      (f.idleCpuMs * 60) / f.idleS,
      'ms',
    ],
  ];
}
