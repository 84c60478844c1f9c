// libvirt on a host without systemd (CI, containers): when no libvirtd answers, lab starts virtlogd and
// libvirtd itself, inside a network namespace of its own, so that libvirt's NAT network (its bridge,
// dnsmasq, firewall rules, forwarding) exists only there and never touches the host's routes. vagrant
// then runs in that namespace too (it reaches the VMs by their NAT addresses). The daemons serve every
// instance on this host; the last lab down (or lab gc) that leaves libvirt no domain stops them.
import { closeSync, existsSync, openSync, readFileSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { PreflightError } from '../../errors.js';
import { runCommand } from '../../host/command.js';
import { isAlive, startTimeOf, stopProcesses } from '../../host/processes.js';

/** What lab started, for every later lab command of any instance. */
export const DAEMONS_FILE = '/run/lab-libvirt.json';
const NETNS = 'lab-libvirt';
/** Held while one lab command starts the daemons: two `lab up` at once started two of each. */
const STARTING = '/run/lab-libvirt.lock';
const URI = 'qemu:///system';

interface Started {
  netns: string;
  processes: { name: string; pid: number; starttime?: string }[];
  /** Instance folders that use them: in use while one still holds its instance.json. */
  users?: string[];
}

function readStarted(): Started | undefined {
  try {
    const s = JSON.parse(readFileSync(DAEMONS_FILE, 'utf8')) as Started;
    return s.processes.some((p) => isAlive(p.pid, p.starttime)) ? s : undefined;
  } catch {
    return undefined;
  }
}

/** The namespace vagrant must run in: lab's own libvirt's, or none (the host's libvirtd). */
export function libvirtNetns(): string | undefined {
  return readStarted()?.netns;
}

const virsh = (args: string[], timeoutMs = 15_000) =>
  runCommand('virsh', ['-q', '-c', URI, ...args], { timeoutMs }).catch(() => ({
    exitCode: 127,
    stdout: '',
    stderr: 'no virsh',
    timedOut: false,
  }));

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function addUser(instanceDir: string): void {
  const started = readStarted();
  if (!started) return;
  started.users = [...new Set([...(started.users ?? []), instanceDir])];
  writeFileSync(DAEMONS_FILE, `${JSON.stringify(started)}\n`);
}

/** Takes the starting lock (a dead owner's is taken over); waits while a live command holds it. */
async function startingLock(): Promise<() => void> {
  for (let i = 0; i < 600; i++) {
    try {
      const fd = openSync(STARTING, 'wx', 0o644);
      writeSync(fd, JSON.stringify({ pid: process.pid, starttime: startTimeOf(process.pid) }));
      closeSync(fd);
      return () => rmSync(STARTING, { force: true });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    try {
      const owner = JSON.parse(readFileSync(STARTING, 'utf8')) as { pid: number; starttime?: string };
      if (!isAlive(owner.pid, owner.starttime)) rmSync(STARTING, { force: true });
    } catch {
      // being written by its owner: asked again after the pause
    }
    await sleep(100);
  }
  throw new PreflightError(`another lab command has been starting libvirtd for a minute (${STARTING})`);
}

/** Makes sure a libvirtd answers; starts lab's own when none does. Returns its namespace, if lab's. */
export async function ensureLibvirt(
  say: (line: string) => void,
  instanceDir: string,
): Promise<string | undefined> {
  if ((await virsh(['version'])).exitCode === 0) {
    addUser(instanceDir);
    return libvirtNetns();
  }
  const release = await startingLock();
  try {
    // another lab command may have started them while this one waited
    if ((await virsh(['version'])).exitCode === 0) {
      addUser(instanceDir);
      return libvirtNetns();
    }
    return await startLibvirt(say, instanceDir);
  } finally {
    release();
  }
}

async function startLibvirt(say: (line: string) => void, instanceDir: string): Promise<string> {
  for (const daemon of ['libvirtd', 'virtlogd', 'virsh']) {
    const r = await runCommand('sh', ['-c', 'command -v "$1"', 'sh', daemon]);
    if (r.exitCode !== 0)
      throw new PreflightError(`no libvirtd answers and ${daemon} is not installed`, {
        details: [
          'apt-get install --no-install-recommends libvirt-daemon-system qemu-system-x86 (or start your libvirtd)',
        ],
      });
  }
  say(`  no libvirtd answers: starting virtlogd and libvirtd in network namespace ${NETNS}`);
  const netnsExists = existsSync(`/run/netns/${NETNS}`);
  if (!netnsExists) {
    const add = await runCommand('ip', ['netns', 'add', NETNS]);
    if (add.exitCode !== 0)
      throw new PreflightError(`cannot create network namespace ${NETNS}: ${add.stderr.trim()}`);
  }
  await runCommand('ip', ['-n', NETNS, 'link', 'set', 'lo', 'up']);
  const processes: Started['processes'] = [];
  // recorded before anything starts: a crash in between leaves a file lab gc reads
  const record = () =>
    writeFileSync(DAEMONS_FILE, `${JSON.stringify({ netns: NETNS, processes, users: [instanceDir] })}\n`);
  record();
  for (const [name, pidfile] of [
    ['virtlogd', '/run/virtlogd.pid'],
    ['libvirtd', '/run/libvirtd.pid'],
  ] as const) {
    const r = await runCommand('ip', ['netns', 'exec', NETNS, name, '-d'], { timeoutMs: 30_000 });
    if (r.exitCode !== 0)
      throw new PreflightError(`${name} -d did not start (exit ${r.exitCode}): ${r.stderr.trim()}`);
    const pid = Number(readFileSync(pidfile, 'utf8').trim());
    processes.push({ name, pid, starttime: startTimeOf(pid) });
    record();
  }
  for (let i = 0; i < 100; i++) {
    if ((await virsh(['version'])).exitCode === 0) return NETNS;
    await sleep(100);
  }
  throw new PreflightError('libvirtd started but does not answer on qemu:///system after 10 s');
}

/** libvirt's domains, or undefined when no libvirtd answers. */
async function domains(): Promise<string[] | undefined> {
  const r = await virsh(['list', '--all', '--name']);
  return r.exitCode === 0 ? r.stdout.split('\n').filter((l) => l.trim()) : undefined;
}

/** No instance but `except` uses them, and libvirt runs no domain. */
async function idle(started: Started, except?: string): Promise<boolean> {
  const using = (started.users ?? []).filter((d) => d !== except && existsSync(join(d, 'instance.json')));
  return using.length === 0 && (await domains())?.length === 0;
}

/** lab's own libvirt namespace when its daemons serve no instance (lab gc's orphan). */
export async function idleLibvirt(): Promise<string | undefined> {
  const started = readStarted();
  return started && (await idle(started)) ? started.netns : undefined;
}

/** The daemons lab started, when they serve no instance any more: stopped by PID with whatever else
 * runs in their namespace (dnsmasq), and the namespace removed. Returns what it stopped. */
export async function stopIdleLibvirt(except?: string): Promise<string[]> {
  const started = readStarted();
  if (!started) {
    rmSync(DAEMONS_FILE, { force: true });
    return [];
  }
  if (!(await idle(started, except))) return [];
  const inNetns = await runCommand('ip', ['netns', 'pids', started.netns]);
  const others = inNetns.stdout
    .split('\n')
    .filter(Boolean)
    .map(Number)
    .filter((pid) => !started.processes.some((p) => p.pid === pid))
    .map((pid) => ({ pid, starttime: startTimeOf(pid) }));
  await stopProcesses([...others, ...started.processes], 5000);
  await runCommand('ip', ['netns', 'delete', started.netns]);
  rmSync(DAEMONS_FILE, { force: true });
  return [...started.processes.map((p) => `${p.name} (pid ${p.pid})`), `network namespace ${started.netns}`];
}
