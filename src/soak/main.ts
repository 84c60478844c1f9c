// npm run soak: the fault harness. Runs the lab command as people do, off the road: cycles, interrupts
// at random moments (SIGINT, SIGTERM, SIGKILL then down), instances side by side, down racing up,
// damaged state, daemons and holders killed. After every run it looks for what the instance left
// (namespaces, its link, instance-list entry, lock, state folder, processes), by that instance's names
// only: other labs on this host are never looked at or touched. One line per scenario, a summary,
// exit 1 on any failure or leak. SOAK_SHORT=1 is the quick version npm test runs; SOAK_CYCLES=N.
import { spawn, spawnSync } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { catchSignals, handleInterruption } from '../cli/interrupt.js';
import { entryOf } from '../engine/host-instances.js';
import { Journal } from '../engine/journal.js';
import { lockFileOf } from '../engine/lock.js';
import { isAlive } from '../host/processes.js';
import { instanceTag } from '../providers/netns/names.js';

// Ctrl-C or SIGTERM: the running lab commands get the signal (each removes what it made), the
// instances left up are brought down, the soak's folder goes, exit 130
catchSignals();
const interrupted = await handleInterruption();
interrupted.addEventListener('abort', () => void cleanUp(interrupted.reason as NodeJS.Signals));

const LAB_BIN = join(dirname(fileURLToPath(import.meta.url)), '..', 'cli', 'main.js');
const LAB = 'bgp-metallb';
const short = !!process.env.SOAK_SHORT;
const cycles = Number(process.env.SOAK_CYCLES ?? (short ? 2 : 20));
// its own folder: the state folder lab uses, and the journals' copies beside it (never in it)
const work = mkdtempSync(join(tmpdir(), 'lab-soak-'));
const state = join(work, 'state');
mkdirSync(state);
const tag = `s${process.pid % 10000}`;
let serial = 0;
/** Every instance this run started, for the clean up after Ctrl-C or SIGTERM. */
const started: string[] = [];
const nextInstance = () => {
  const instance = `${tag}n${serial++}`;
  started.push(instance);
  return instance;
};

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  out: string;
}

interface Child {
  pid: number;
  kill(signal: NodeJS.Signals): void;
  done: Promise<Run>;
}

/** The lab commands running now: stopped with the soak, each removing what it made. */
const running = new Set<ReturnType<typeof spawn>>();

function lab(args: string[], opts: { cleanup?: boolean } = {}): Child {
  // once interrupted, the scenarios start nothing more: the clean up alone runs commands
  if (interrupted.aborted && !opts.cleanup)
    return { pid: 0, kill: () => undefined, done: new Promise<Run>(() => undefined) };
  const child = spawn('node', [LAB_BIN, ...args], {
    env: { ...process.env, LAB_STATE_DIR: state },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d) => {
    out += d;
  });
  child.stderr.on('data', (d) => {
    out += d;
  });
  running.add(child);
  const done = new Promise<Run>((resolve) =>
    child.on('close', (code, signal) => {
      running.delete(child);
      resolve({ code, signal, out });
    }),
  );
  return { pid: child.pid!, kill: (s) => child.kill(s), done };
}
const run = (args: string[]) => lab(args).done;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const random = (lo: number, hi: number) => lo + Math.floor(Math.random() * (hi - lo));

/** What one instance left on the host, by its own names (and the pids its journal recorded). */
function leaks(instance: string, journalCopy?: string): string[] {
  const out: string[] = [];
  const base = `lab.${LAB}.${instance}`;
  let namespaces: string[] = [];
  try {
    namespaces = readdirSync('/run/netns').filter(
      (n) => n === base || (n.startsWith(`${base}.`) && !n.slice(base.length + 1).includes('.')),
    );
  } catch {
    // no namespaces at all
  }
  if (namespaces.length) out.push(`${namespaces.length} namespaces`);
  if (existsSync(`/sys/class/net/lab${instanceTag(LAB, instance)}`)) out.push('its root link');
  if (existsSync(entryOf(LAB, instance))) out.push('its instance-list entry');
  if (existsSync(lockFileOf(LAB, instance))) out.push('its lock');
  if (existsSync(join(state, LAB, instance))) out.push('its state folder');
  if (journalCopy && existsSync(journalCopy)) {
    const alive = new Journal(journalCopy)
      .resources()
      .filter((r) => r.kind === 'process' && r.pid && isAlive(r.pid, r.starttime));
    if (alive.length) out.push(`${alive.length} processes`);
  }
  return out;
}

/** Keeps a copy of the journal while the instance runs, so that its processes can be checked after. */
function keepJournal(instance: string): string {
  const copy = join(work, `${instance}.journal`);
  const file = join(state, LAB, instance, 'journal.jsonl');
  if (existsSync(file)) copyFileSync(file, copy);
  return copy;
}

interface Tally {
  runs: number;
  faults: number;
  races: number;
  damaged: number;
  leaks: number;
  failures: string[];
}
const total: Tally = { runs: 0, faults: 0, races: 0, damaged: 0, leaks: 0, failures: [] };

async function scenario(name: string, body: (t: Tally) => Promise<string>): Promise<void> {
  const t: Tally = { runs: 0, faults: 0, races: 0, damaged: 0, leaks: 0, failures: [] };
  const started = Date.now();
  let detail: string;
  try {
    detail = await body(t);
  } catch (e) {
    t.failures.push((e as Error).message);
    detail = 'stopped';
  }
  for (const k of ['runs', 'faults', 'races', 'damaged', 'leaks'] as const) total[k] += t[k];
  total.failures.push(...t.failures.map((f) => `${name}: ${f}`));
  const ok = !t.failures.length && !t.leaks;
  console.log(
    `${ok ? '✔' : '✖'} ${name}: ${detail}; ${t.leaks} leaks, ${t.failures.length} failures (${((Date.now() - started) / 1000).toFixed(1)} s)${ok ? '' : `\n    ${t.failures.slice(0, 5).join('\n    ')}`}`,
  );
}

function expectCode(t: Tally, what: string, r: Run, codes: number[]): void {
  // the whole end of its output: a crash's stack is the evidence, not its last line (Node.js vNN)
  if (r.code === null || !codes.includes(r.code))
    t.failures.push(
      `${what}: exit ${r.code ?? r.signal}, expected ${codes.join(' or ')}:\n      ${r.out.trim().split('\n').slice(-40).join('\n      ')}`,
    );
}

function expectClean(t: Tally, instance: string, journalCopy?: string): void {
  const left = leaks(instance, journalCopy);
  if (left.length) {
    t.leaks++;
    t.failures.push(`${instance} left ${left.join(', ')}`);
  }
}

async function upThenDown(t: Tally, instance: string): Promise<void> {
  const up = await run(['up', LAB, '-i', instance]);
  t.runs++;
  expectCode(t, `up ${instance}`, up, [0]);
  const copy = keepJournal(instance);
  expectCode(t, `down ${instance}`, await run(['down', LAB, '-i', instance]), [0]);
  expectClean(t, instance, copy);
}

/** After a signal: stops the running commands, brings down what this run left up, removes its folder. */
async function cleanUp(signal: NodeJS.Signals): Promise<never> {
  console.log(
    `soak: interrupted (${signal}): stopping ${running.size} lab commands, then removing what they left`,
  );
  const children = [...running];
  const ended = Promise.all(
    children.map((c) => new Promise((r) => (c.exitCode !== null ? r(0) : c.once('close', r)))),
  );
  for (const c of children) c.kill(signal);
  // a command that does not end within its clean up's bound is killed; lab down below finds its remains
  const bound = setTimeout(() => {
    for (const c of children) c.kill('SIGKILL');
  }, 60_000);
  await ended;
  clearTimeout(bound);
  let removed = 0;
  for (const instance of started) {
    if (!leaks(instance).length) continue;
    const down = await lab(['down', LAB, '-i', instance], { cleanup: true }).done;
    if (down.code === 0) removed++;
    else
      console.log(
        `soak: lab down ${LAB} -i ${instance} exited ${down.code ?? down.signal}: ${down.out.trim()}`,
      );
  }
  const left = started.filter((i) => leaks(i).length);
  rmSync(work, { recursive: true, force: true });
  console.log(
    `soak: interrupted (${signal}): ${removed} instances removed${left.length ? `; left: ${left.join(', ')}` : ', nothing left'}`,
  );
  process.exit(left.length ? 1 : 130);
}

await scenario('cycles', async (t) => {
  for (let i = 0; i < cycles; i++) await upThenDown(t, nextInstance());
  return `${cycles} up/down cycles`;
});

await scenario('interrupts', async (t) => {
  const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGKILL'];
  const n = short ? 3 : 15;
  for (let i = 0; i < n; i++) {
    const signal = signals[i % 3];
    const instance = nextInstance();
    const up = lab(['up', LAB, '-i', instance]);
    await sleep(random(100, 1600));
    const copy = keepJournal(instance);
    up.kill(signal);
    const r = await up.done;
    t.runs++;
    t.faults++;
    if (signal === 'SIGKILL') {
      // nothing could clean up: lab down finds what is left by the instance's names
      expectCode(t, `down after SIGKILL ${instance}`, await run(['down', LAB, '-i', instance]), [0]);
    } else {
      // 130 when it was caught while starting; 0 when up had finished just before the signal. Up
      // finished (its lab proven) and the signal met the process ending: Node no longer answers
      // signals there, and the default action ends it; its lab is up, as said
      const finished = / is up .*and proven in /.test(r.out);
      // killed by the signal itself with not a word: it came while Node was still starting, before lab
      // had run a line (on a loaded host that takes over 0.1 s): nothing was created, as checked below
      const unborn = r.signal === signal && r.out === '';
      if (!((finished || unborn) && r.signal === signal))
        expectCode(t, `up ${signal} ${instance}`, r, [0, 130]);
      if (r.code === 0 || finished) await run(['down', LAB, '-i', instance]);
    }
    expectClean(t, instance, copy);
  }
  return `${n} interrupts (SIGINT, SIGTERM, SIGKILL then down) at 0.1-1.6 s`;
});

await scenario('concurrent', async (t) => {
  const n = short ? 2 : 5;
  const instances = Array.from({ length: n }, nextInstance);
  const ups = await Promise.all(instances.map((i) => run(['up', LAB, '-i', i])));
  ups.forEach((r, k) => {
    expectCode(t, `up ${instances[k]}`, r, [0]);
  });
  t.runs += n;
  const checks = await Promise.all(instances.map((i) => run(['check', LAB, '-i', i])));
  checks.forEach((r, k) => {
    expectCode(t, `check ${instances[k]}`, r, [0]);
  });
  const copies = instances.map(keepJournal);
  const downs = await Promise.all(instances.map((i) => run(['down', LAB, '-i', i])));
  downs.forEach((r, k) => {
    expectCode(t, `down ${instances[k]}`, r, [0]);
  });
  instances.forEach((i, k) => {
    expectClean(t, i, copies[k]);
  });
  return `${n} instances up, checked and down at once`;
});

/** Resolves once the instance's event log shows its step script starting (or the up has ended). */
async function stepStarted(instance: string, up: Child): Promise<void> {
  let ended = false;
  void up.done.then(() => {
    ended = true;
  });
  const events = join(state, LAB, instance, 'events.jsonl');
  while (!ended) {
    try {
      if (readFileSync(events, 'utf8').includes('"step":"step service"')) return;
    } catch {
      // not written yet
    }
    await sleep(5);
  }
}

await scenario('races', async (t) => {
  const n = short ? 3 : 15;
  for (let i = 0; i < 2 * n; i++) {
    const instance = nextInstance();
    const up = lab(['up', LAB, '-i', instance]);
    // half of the downs at any moment of the up, half aimed at its step script: from its thread's
    // start (loading its modules) to its commands on the nodes
    if (i < n) await sleep(random(0, 2000));
    else {
      await stepStarted(instance, up);
      await sleep(random(0, 600));
    }
    const copy = keepJournal(instance);
    const down = await run(['down', LAB, '-i', instance]);
    const r = await up.done;
    t.runs++;
    t.races++;
    expectCode(t, `down racing up ${instance}`, down, [0]);
    // cancelled while starting (8), finished before down came (0), or refused: down held it first (6)
    expectCode(t, `up raced by down ${instance}`, r, [0, 6, 8]);
    // up exits 0 when it finished before down came, or when down came before up had begun (down then
    // found nothing and up made the lab afterwards): a second down must remove it
    if (r.code === 0) {
      keepJournal(instance);
      expectCode(t, `down after ${instance}`, await run(['down', LAB, '-i', instance]), [0]);
    }
    expectClean(t, instance, copy);
  }
  return `${n} downs started 0-2 s into up, ${n} 0-0.6 s into its step script`;
});

await scenario('damaged state', async (t) => {
  const damages: [string, (dir: string) => void][] = [
    ['emptied journal', (dir) => writeFileSync(join(dir, 'journal.jsonl'), '')],
    // as rm -rf leaves it: all but the nodes' folders, which are mount points (docs/sandbox.md)
    ['deleted state folder', (dir) => spawnSync('rm', ['-rf', dir])],
    ['damaged instance.json', (dir) => writeFileSync(join(dir, 'instance.json'), '{')],
  ];
  for (const [, damage] of damages) {
    const instance = nextInstance();
    expectCode(t, `up ${instance}`, await run(['up', LAB, '-i', instance]), [0]);
    t.runs++;
    const copy = keepJournal(instance);
    damage(join(state, LAB, instance));
    t.damaged++;
    expectCode(t, `down ${instance}`, await run(['down', LAB, '-i', instance]), [0]);
    expectClean(t, instance, copy);
  }
  return `${damages.length} damaged states (${damages.map(([d]) => d).join(', ')})`;
});

await scenario('killed daemons', async (t) => {
  const victims = ['bird', 'holder', 'sshd'];
  for (const victim of victims) {
    const instance = nextInstance();
    expectCode(t, `up ${instance}`, await run(['up', LAB, '-i', instance]), [0]);
    t.runs++;
    const copy = keepJournal(instance);
    const target = new Journal(copy)
      .resources()
      .find((r) => r.kind === 'process' && r.node === 'worker2' && r.name === victim);
    if (target?.kind !== 'process' || !target.pid)
      t.failures.push(`${instance}: no ${victim} on worker2 in the journal`);
    else process.kill(target.pid, 'SIGKILL');
    t.faults++;
    const check = await run(['check', LAB, '-i', instance]);
    expectCode(t, `check with ${victim} killed ${instance}`, check, [5]);
    if (!/worker2/.test(check.out))
      t.failures.push(`${instance}: check did not name worker2 (${victim} killed)`);
    expectCode(t, `down ${instance}`, await run(['down', LAB, '-i', instance]), [0]);
    expectClean(t, instance, copy);
  }
  return `${victims.length} kills (${victims.join(', ')} on worker2), each noticed by lab check`;
});

await scenario('host faults', async (t) => {
  // alive but answering nothing, or cut off: each must fail lab check naming the node, in bounded time
  const faults: [string, string, (instance: string, pid: (name: string) => number) => void][] = [
    ['sshd stopped', 'worker2', (_i, pid) => process.kill(pid('sshd'), 'SIGSTOP')],
    ['bird stopped', 'worker2', (_i, pid) => process.kill(pid('bird'), 'SIGSTOP')],
    [
      'interface down',
      'worker3',
      (i) => spawnSync('ip', ['-n', `lab.${LAB}.${i}.worker3`, 'link', 'set', 'eth0', 'down']),
    ],
  ];
  // the short soak: one of them (npm test's reliability tests stop sshd and set links down)
  const chosen = short ? faults.slice(1, 2) : faults;
  for (const [what, node, fault] of chosen) {
    const instance = nextInstance();
    expectCode(t, `up ${instance}`, await run(['up', LAB, '-i', instance]), [0]);
    t.runs++;
    const copy = keepJournal(instance);
    const pid = (name: string) => {
      const r = new Journal(copy)
        .resources()
        .find((x) => x.kind === 'process' && x.node === node && x.name === name);
      return r?.kind === 'process' && r.pid ? r.pid : 0;
    };
    fault(instance, pid);
    t.faults++;
    const started = Date.now();
    const check = await run(['check', LAB, '-i', instance, '--json']);
    expectCode(t, `check with ${what} ${instance}`, check, [5]);
    if (!new RegExp(`"node": "${node}"`).test(check.out) || !/"code": "check"/.test(check.out))
      t.failures.push(`${instance}: check did not name ${node} (${what})`);
    if (Date.now() - started > 30_000) t.failures.push(`${instance}: check took over 30 s (${what})`);
    // two downs at once: both exit 0, the second waiting for the first
    t.races++;
    const downs = await Promise.all([run(['down', LAB, '-i', instance]), run(['down', LAB, '-i', instance])]);
    for (const d of downs) expectCode(t, `down with ${what} ${instance}`, d, [0]);
    expectClean(t, instance, copy);
  }
  return `${chosen.length} faults (${chosen.map(([w]) => w).join(', ')}), each named by lab check, each lab downed twice at once`;
});

rmSync(work, { recursive: true, force: true });
const ok = !total.failures.length && !total.leaks;
console.log(
  `soak: ${ok ? 'clean' : 'FAILED'}: ${total.runs} runs, ${total.faults} faults, ${total.races} races, ${total.damaged} damaged states, ${total.leaks} leaks, ${total.failures.length} failures`,
);
process.exitCode = ok ? 0 : 1;
