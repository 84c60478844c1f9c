// --provider vagrant-host for real: lab's box built from Debian packages (lab vm box build), one
// Debian VM booted by Vagrant on libvirt (lab's own libvirtd in a namespace of its own when none
// answers; software emulation when KVM does not work), bgp-metallb brought up inside it and proven
// by its checks; lab status, check, exec and down through it; nothing of it left on the host.
// Run by `npm run test:vm` (CI, after npm test): it takes minutes, and root.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
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

describe.skipIf(!isRoot)('vagrant-host: bgp-metallb in a real VM', () => {
  afterAll(async () => {
    await lab(['down', 'bgp-metallb', '-i', instance], 10 * MIN);
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
    },
    26 * MIN,
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
      // lab's own libvirtd (if it started one) stops once no domain is left; the host's keeps running
      if (existsSync('/run/lab-libvirt.json')) expect(await virsh(['list', '--all', '--name'])).toEqual([]);
      else expect(existsSync('/run/netns/lab-libvirt')).toBe(false);
    },
    11 * MIN,
  );
});
