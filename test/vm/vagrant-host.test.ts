// --provider vagrant-host for real: lab's box built from Debian packages (lab vm box build), one
// Debian VM booted by Vagrant on libvirt (lab's own libvirtd in a namespace of its own when none
// answers; software emulation when KVM does not work), bgp-metallb brought up inside it and proven
// by its checks; lab status, check, exec, ssh and down through it; Ctrl-C early in a boot, and SIGKILL
// of lab up then lab gc; nothing of it left on the host.
// Run by `npm run test:vm` (CI, after npm test): it takes minutes, and root.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa, type ResultPromise } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import { isAlive } from '../../src/host/processes.js';
import { LAB_BIN } from '../helpers/cli.js';
import { isRoot } from '../helpers/labs.js';

const MIN = 60_000;
const state = mkdtempSync(join(tmpdir(), 'lab-vm-'));
const instance = `vm${process.pid % 10000}`;
const figures: Record<string, string> = {};

const lab = (args: string[], timeout = 5 * MIN) =>
  execa('node', [LAB_BIN, ...args], {
    reject: false,
    all: true,
    env: { LAB_STATE_DIR: state },
    timeout,
  });
const timed = async <T>(name: string, run: () => Promise<T>): Promise<T> => {
  const started = Date.now();
  const result = await run();
  figures[name] = `${((Date.now() - started) / 1000).toFixed(0)} s`;
  return result;
};
const virsh = async (args: string[]) =>
  (await execa('virsh', ['-q', '-c', 'qemu:///system', ...args], { reject: false })).stdout
    .split('\n')
    .filter((l) => l.trim());
/** Peak resident memory of this instance's QEMU (its VmHWM), in MB. */
const qemuPeakMb = () =>
  readdirSync('/proc')
    .filter((p) => /^\d+$/.test(p))
    .flatMap((p) => {
      try {
        const cmdline = readFileSync(`/proc/${p}/cmdline`, 'utf8');
        if (!cmdline.startsWith('/usr/bin/qemu-system') || !cmdline.includes(`-${instance}-`)) return [];
        const hwm = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${p}/status`, 'utf8'));
        return hwm ? [Math.round(Number(hwm[1]) / 1024)] : [];
      } catch {
        return [];
      }
    })
    .reduce((a, b) => Math.max(a, b), 0);
const IMAGES = '/var/lib/libvirt/images';
const list = (dir: string) => {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
};
/** What libvirt holds of an instance, by name (files: libvirtd may have stopped): its domain's and
 * network's definitions, its disk volumes; and what libvirtd answers, when it runs. */
const libvirtOf = async (inst: string) => {
  const prefix = `lab-bgp-metallb-${inst}-`;
  const ours = (names: string[]) => names.filter((n) => n.startsWith(prefix));
  return [
    ...ours(list('/etc/libvirt/qemu')).map((f) => `domain ${f}`),
    ...ours(list('/etc/libvirt/qemu/networks')).map((f) => `network ${f}`),
    ...ours(list(IMAGES)).map((f) => `volume ${f}`),
    ...ours(await virsh(['list', '--all', '--name'])).map((d) => `running domain ${d}`),
    ...ours(await virsh(['net-list', '--all', '--name'])).map((n) => `running network ${n}`),
  ];
};
/** vagrant processes still at work on an instance's project. */
const vagrantsOf = (inst: string) =>
  readdirSync('/proc')
    .filter((p) => /^\d+$/.test(p))
    .filter((p) => {
      try {
        return readFileSync(`/proc/${p}/environ`, 'latin1').includes(`/bgp-metallb/${inst}/vagrant\0`);
      } catch {
        return false;
      }
    });
/** lab's own libvirt daemons, while they run (undefined when a host libvirtd serves instead). */
const labDaemons = (): { netns: string; processes: { pid: number }[] } | undefined => {
  try {
    return JSON.parse(readFileSync('/run/lab-libvirt.json', 'utf8'));
  } catch {
    return undefined;
  }
};
/** lab up, in a process group of its own (a terminal's Ctrl-C reaches the group), its output kept. */
const startUp = (inst: string) => {
  const run = execa('node', [LAB_BIN, 'up', 'bgp-metallb', '--provider', 'vagrant-host', '-i', inst], {
    reject: false,
    all: true,
    detached: true,
    env: { LAB_STATE_DIR: state },
    timeout: 30 * MIN,
  });
  let out = '';
  let ended = false;
  run.all?.on('data', (d) => {
    out += d;
  });
  void run.finally(() => {
    ended = true;
  });
  return { run, output: () => out, ended: () => ended };
};
const until = async (
  what: string,
  done: () => boolean,
  up: { run: ResultPromise; output: () => string; ended: () => boolean },
  limitMs = 25 * MIN,
) => {
  const started = Date.now();
  while (!done()) {
    if (up.ended() || Date.now() - started > limitMs) {
      // never left running behind a failed wait
      if (!up.ended()) process.kill(-up.run.pid!, 'SIGINT');
      await up.run;
      throw new Error(`lab up ended or took too long before ${what}:\n${up.output()}`);
    }
    await new Promise((r) => setTimeout(r, 500));
  }
};
const forwarders = () =>
  readdirSync('/proc')
    .filter((p) => /^\d+$/.test(p))
    .filter((p) => {
      try {
        return readFileSync(`/proc/${p}/cmdline`, 'utf8').includes('vagrant/forward.js');
      } catch {
        return false;
      }
    });

/** Nothing of an instance on the host: its folder, libvirt's objects, vagrant, forwarders; and lab's
 * libvirtd (when it ran for this instance alone) stopped with its namespace. */
const expectNothingLeft = async (inst: string, daemons: ReturnType<typeof labDaemons>) => {
  expect(existsSync(join(state, 'bgp-metallb', inst))).toBe(false);
  expect(await libvirtOf(inst)).toEqual([]);
  expect(vagrantsOf(inst)).toEqual([]);
  expect(forwarders()).toEqual([]);
  if (daemons) {
    expect(daemons.processes.filter((p) => isAlive(p.pid))).toEqual([]);
    expect(existsSync(`/run/netns/${daemons.netns}`)).toBe(false);
    expect(existsSync('/run/lab-libvirt.json')).toBe(false);
  }
};

describe.skipIf(!isRoot)('vagrant-host: bgp-metallb in a real VM', () => {
  afterAll(async () => {
    for (const i of [`${instance}c`, instance, `${instance}k`])
      await lab(['down', 'bgp-metallb', '-i', i], 10 * MIN);
    rmSync(state, { recursive: true, force: true });
    console.log(`vm figures: ${JSON.stringify(figures)}`);
  });

  it(
    'builds the box from Debian packages (or finds it cached)',
    async () => {
      const r = await timed('box build', () => lab(['vm', 'box', 'build', '--json'], 25 * MIN));
      expect(r.exitCode, r.all).toBe(0);
      const box = JSON.parse(r.stdout) as { name: string; built: boolean };
      expect(box.name).toMatch(/^lab\/bookworm-[0-9a-f]{12}$/);
      figures['box cached'] = String(!box.built);
      // a new box removes the older ones lab made (their volumes are about 1 GB each)
      const prune = await lab(['vm', 'box', 'prune', '--dry-run', '--json']);
      expect(prune.exitCode, prune.all).toBe(0);
      const old = (JSON.parse(prune.stdout) as { boxes: { name: string; keptBecause?: string }[] }).boxes;
      if (box.built) expect(old.filter((b) => !b.keptBecause)).toEqual([]);
      figures['old boxes'] = old.map((b) => b.name).join(' ') || 'none';
    },
    26 * MIN,
  );

  it(
    'Ctrl-C while the VM boots removes what lab up created',
    async () => {
      const inst = `${instance}c`;
      const up = startUp(inst);
      // early in the boot: the domain is running and vagrant waits for its address
      await until(
        'the domain started',
        () => /Waiting for domain to get an IP address/.test(up.output()),
        up,
      );
      const daemons = labDaemons();
      const started = Date.now();
      process.kill(-up.run.pid!, 'SIGINT');
      const r = await up.run;
      figures['Ctrl-C to clean'] = `${((Date.now() - started) / 1000).toFixed(0)} s`;
      expect(r.exitCode, r.all).toBe(130);
      expect(r.all).toMatch(/interrupted: the VM of bgp-metallb \(instance \w+\) is destroyed/);
      await expectNothingLeft(inst, daemons);
    },
    31 * MIN,
  );

  it(
    'brings bgp-metallb up inside one VM and proves it with its checks',
    async () => {
      const r = await timed('up to proven', () =>
        lab(['up', 'bgp-metallb', '--provider', 'vagrant-host', '-i', instance], 30 * MIN),
      );
      expect(r.exitCode, r.all).toBe(0);
      expect(r.all).toMatch(/bgp-metallb is up and proven in/);
      expect(r.all).not.toMatch(/setup\.sh --deps-only in it/);
      // vagrant up's progress, timed by lab up: domain started, then SSH answering
      const at = (what: RegExp) => Number(new RegExp(`(\\d+) s lab-host: ${what.source}`).exec(r.all)?.[1]);
      figures['start to SSH'] = `${at(/Machine booted and ready/) - at(/Starting domain/)} s`;
    },
    31 * MIN,
  );

  it(
    'answers lab status, check and exec through the VM',
    async () => {
      const status = await lab(['status', 'bgp-metallb', '--json']);
      expect(status.exitCode, status.all).toBe(0);
      const mine = (JSON.parse(status.stdout) as { instance: string; status: string }[]).find(
        (i) => i.instance === instance,
      );
      expect(mine?.status, status.stdout).toBe('up');
      // --wait: under software emulation a node's first SSH handshake may outlast a single try
      const check = await timed('check', () =>
        lab(['check', 'bgp-metallb', '-i', instance, '--wait'], 5 * MIN),
      );
      expect(check.exitCode, check.all).toBe(0);
      const exec = await lab(['exec', 'bgp-metallb', 'router', '-i', instance, '--', 'ip', '-br', 'addr']);
      expect(exec.exitCode, exec.all).toBe(0);
      expect(exec.stdout).toMatch(/UP/);
    },
    12 * MIN,
  );

  it(
    "opens lab ssh through the VM; the VM's own NIC is eth0, beside the nodes' eth0",
    async () => {
      const ssh = await execa('node', [LAB_BIN, 'ssh', 'bgp-metallb', 'router', '-i', instance], {
        reject: false,
        all: true,
        env: { LAB_STATE_DIR: state },
        input: 'hostname; ip -br link show eth0\n',
        timeout: 3 * MIN,
      });
      expect(ssh.exitCode, ssh.all).toBe(0);
      expect(ssh.stdout).toMatch(/^router$/m);
      expect(ssh.stdout).toMatch(/^eth0@\S+\s+UP/m);
      // the box keeps the kernel's name: the netns provider no longer needs the VM's NIC renamed
      const config = (await lab(['ssh-config', 'bgp-metallb', '-i', instance, '--path'])).stdout.trim();
      const vm = await execa('ssh', ['-F', config, '-o', 'BatchMode=yes', 'lab-host', 'ip', '-br', 'link'], {
        reject: false,
        timeout: 2 * MIN,
      });
      expect(vm.exitCode, vm.stderr).toBe(0);
      expect(vm.stdout).toMatch(/^eth0\s+UP/m);
    },
    6 * MIN,
  );

  it('ran in one QEMU process, whose peak memory is reported', () => {
    const peak = qemuPeakMb();
    figures['QEMU peak RSS'] = `${peak} MB`;
    expect(peak).toBeGreaterThan(100);
  });

  it(
    'lab down leaves no domain, network, forwarder, daemon or namespace of it',
    async () => {
      const r = await timed('down', () => lab(['down', 'bgp-metallb', '-i', instance], 10 * MIN));
      expect(r.exitCode, r.all).toBe(0);
      expect(existsSync(join(state, 'bgp-metallb', instance))).toBe(false);
      expect(forwarders()).toEqual([]);
      expect(await libvirtOf(instance)).toEqual([]);
      // lab's own libvirtd (if it started one) stops once no domain is left; the host's keeps running
      if (existsSync('/run/lab-libvirt.json')) expect(await virsh(['list', '--all', '--name'])).toEqual([]);
      else expect(existsSync('/run/netns/lab-libvirt')).toBe(false);
    },
    11 * MIN,
  );

  it(
    'SIGKILL of lab up, then lab gc: domain, volumes, forwarder, daemons and namespace go',
    async () => {
      const inst = `${instance}k`;
      const up = startUp(inst);
      const journal = join(state, 'bgp-metallb', inst, 'journal.jsonl');
      // late: the VM is up and its SSH forwarder runs, lab up works inside it
      await until(
        'the SSH forwarder',
        () => existsSync(journal) && readFileSync(journal, 'utf8').includes('ssh-forward'),
        up,
      );
      const daemons = labDaemons();
      process.kill(up.run.pid!, 'SIGKILL');
      await up.run;
      expect(forwarders().length).toBeGreaterThan(0);
      expect((await libvirtOf(inst)).length).toBeGreaterThan(0);
      const gc = await timed('gc after SIGKILL', () => lab(['gc', '--json'], 10 * MIN));
      expect(gc.exitCode, gc.all).toBe(0);
      expect((JSON.parse(gc.stdout) as { instances: string[] }).instances).toContain(`bgp-metallb/${inst}`);
      await expectNothingLeft(inst, daemons);
    },
    31 * MIN,
  );
});
