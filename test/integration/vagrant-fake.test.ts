// The vagrant provider's own flow, for real, against the nodes of a running emulated bgp-metallb:
// a fake `vagrant` (test/fixtures/vagrant/fake) records its calls and answers `ssh-config` with the
// emulated nodes' addresses and key; the provider then reaches them over ssh2 through its route
// guard, runs every provisioning step over SSH (apt-get, kubeadm, kubectl, helm, systemctl... are
// recording stand-ins on the nodes' PATH; everything else in the scripts runs), runs the lab's
// checks, and `lab check`, `lab exec`, `lab down` and `lab gc` work on the instance.
import {
  chmodSync,
  chownSync,
  copyFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_DIR } from '../../src/paths.js';
import { nodeDirs } from '../../src/providers/netns/node-files.js';
import { LAB_BIN } from '../helpers/cli.js';
import { leftovers } from '../helpers/host.js';
import { isRoot, labFile } from '../helpers/labs.js';

if (!isRoot) console.warn('vagrant fake-flow tests skipped: the emulated nodes need root');

const FIXTURES = join(PROJECT_DIR, 'test', 'fixtures', 'vagrant');
/** What only a VM can run: stand-ins on the nodes' PATH for the steps (not for the checks). */
const GUEST_TOOLS = [
  'apt-get',
  'apt-mark',
  'hostnamectl',
  'sysctl',
  'systemctl',
  'modprobe',
  'swapoff',
  'containerd',
  'curl',
  'gpg',
  'kubeadm',
  'kubectl',
  'helm',
];
const NODES = ['router', 'master', 'worker1', 'worker2', 'worker3', 'client'];

describe.skipIf(!isRoot)('vagrant provider against emulated nodes (fake vagrant)', () => {
  const work = mkdtempSync(join(tmpdir(), 'lab-vg-'));
  const netnsState = join(work, 'netns-state');
  const vagrantState = join(work, 'vagrant-state');
  const emulated = `vgn${process.pid % 100000}`;
  const instance = `vgv${process.pid % 100000}`;
  const labDir = join(work, 'lab');
  const file = join(labDir, 'lab.yaml');
  const fakeBin = join(work, 'bin');
  const log = join(work, 'vagrant-calls.log');
  let emulatedLink = '';
  const env = () => ({
    LAB_STATE_DIR: vagrantState,
    PATH: `${fakeBin}:${process.env.PATH}`,
    VAGRANT_HOME: join(work, 'vagrant-home'),
    FAKE_VAGRANT_LOG: log,
    FAKE_VAGRANT_SSH_CONFIG: join(netnsState, 'bgp-metallb', emulated, 'ssh', 'config'),
    LAB_VAGRANT_GUEST_PATH: '/root/fake-bin',
  });
  const lab = (args: string[], extra: Record<string, string> = {}) =>
    execa('node', [LAB_BIN, ...args], {
      reject: false,
      all: true,
      env: { ...env(), ...extra },
      timeout: 180_000,
    });
  const calls = () =>
    readFileSync(log, 'utf8')
      .trim()
      .split('\n')
      .map((l) => l.split('\t')[1]);
  const guestCalls = (node: string) =>
    readFileSync(
      join(nodeDirs(join(netnsState, 'bgp-metallb', emulated), node).root, 'fake-bin', 'calls.log'),
      'utf8',
    );

  beforeAll(async () => {
    // the lab as shipped, asking for what this shared test host has (the VMs' sizes are unchanged)
    mkdirSync(labDir);
    writeFileSync(
      file,
      readFileSync(labFile('bgp-metallb'), 'utf8').replace(
        /vagrant: \{ cpus: \d+, memory_mb: \d+, disk_mb: \d+ \}/,
        'vagrant: { cpus: 1, memory_mb: 64, disk_mb: 10 }',
      ),
    );
    // its step scripts travel with it
    cpSync(join(dirname(labFile('bgp-metallb')), 'steps'), join(labDir, 'steps'), { recursive: true });
    mkdirSync(fakeBin);
    copyFileSync(join(FIXTURES, 'fake', 'vagrant'), join(fakeBin, 'vagrant'));
    chmodSync(join(fakeBin, 'vagrant'), 0o755);
    const up = await lab(['up', file, '-i', emulated], { LAB_STATE_DIR: netnsState });
    expect(up.exitCode, up.all).toBe(0);
    emulatedLink = JSON.parse(
      readFileSync(join(netnsState, 'bgp-metallb', emulated, 'instance.json'), 'utf8'),
    ).link;
    for (const node of NODES) {
      const bin = join(nodeDirs(join(netnsState, 'bgp-metallb', emulated), node).root, 'fake-bin');
      mkdirSync(bin, { recursive: true });
      for (const tool of GUEST_TOOLS) copyFileSync(join(FIXTURES, 'guest', 'fake-tool'), join(bin, tool));
      for (const tool of GUEST_TOOLS) chmodSync(join(bin, tool), 0o755);
      // the node's root owns them, as the image's tools would be (root on a node is its own id range)
      const { uid, gid } = statSync(dirname(bin));
      for (const path of [bin, ...GUEST_TOOLS.map((tool) => join(bin, tool))]) chownSync(path, uid, gid);
    }
  }, 120_000);

  afterAll(async () => {
    try {
      await lab(['down', file, '-i', instance]);
      await lab(['down', file, '-i', emulated], { LAB_STATE_DIR: netnsState });
      // other test files run labs meanwhile: only what this file created counts
      const left = leftovers(`lab.bgp-metallb.${emulated}.`);
      expect({
        namespaces: left.namespaces,
        links: left.links.filter((l) => l === emulatedLink),
        mounts: left.mounts.filter((m) => m.includes(work)),
      }).toEqual({ namespaces: [], links: [], mounts: [] });
    } finally {
      rmSync(`/run/lab/instances/bgp-metallb.${instance}o`, { force: true });
      rmSync(work, { recursive: true, force: true });
    }
  });

  it('--plan prints the steps and creates nothing', async () => {
    const r = await lab(['up', file, '--provider', 'vagrant', '-i', instance, '--plan']);
    expect(r.exitCode, r.all).toBe(0);
    expect(r.stdout).toContain('master$ sudo bash steps/04-kubeadm-init/master.sh');
    expect(existsSync(join(vagrantState, 'bgp-metallb', instance))).toBe(false);
    expect(existsSync(log)).toBe(false);
  });

  it('comes up: vagrant up, ssh-config, every step over SSH, then the checks', async () => {
    const r = await lab(['up', file, '--provider', 'vagrant', '-i', instance]);
    expect(r.exitCode, r.all).toBe(0);
    expect(r.all).toMatch(/✔ kubeadm-init on master: kubeadm init \(cluster k8s\)/);
    expect(r.all).toMatch(/✔ sessions-established on router: passed/);
    expect(r.all).toMatch(/✔ load-is-spread on client: passed/);
    expect(r.all).toMatch(/bgp-metallb is up and proven in/);
    const c = calls();
    expect(c[0]).toBe('--version');
    expect(c).toContain('plugin list');
    expect(c).toContain('up --provider libvirt --no-provision');
    expect(c.indexOf('ssh-config')).toBeGreaterThan(c.indexOf('up --provider libvirt --no-provision'));
    for (const n of NODES) expect(c).toContain(`ssh ${n} -c cat /etc/ssh/ssh_host_ed25519_key.pub`);
  });

  it('ran each node its steps, in phase order, with the rendered files', () => {
    const master = guestCalls('master');
    const order = [
      'apt-get install',
      'kubeadm init --config /etc/kubernetes/kubeadm-config.yaml',
      'kubeadm token create',
      'helm upgrade --install metallb metallb/metallb --version 0.14.8',
      'kubectl --kubeconfig /etc/kubernetes/admin.conf apply -f /etc/lab/manifests/metallb-resources.yaml',
      'kubectl --kubeconfig /etc/kubernetes/admin.conf apply -f /etc/lab/manifests/http-backend.yaml',
    ].map((s) => master.indexOf(s));
    expect(
      order.every((i) => i >= 0),
      master,
    ).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    // the workers joined with the command the control plane printed, after their packages
    for (const w of ['worker1', 'worker2', 'worker3']) {
      const calls = guestCalls(w);
      expect(calls).toMatch(/apt-get install -y -qq --no-install-recommends kubelet=1\.30\.4-1\.1/);
      expect(calls.indexOf('kubeadm join 10.0.0.10:6443 --token')).toBeGreaterThan(
        calls.indexOf('apt-mark hold'),
      );
    }
    expect(guestCalls('router')).toContain('systemctl restart bird');
    expect(guestCalls('client')).not.toContain('kubeadm');
  });

  it('lab check and lab exec reach the machines through the saved targets', async () => {
    const check = await lab(['check', file, '-i', instance]);
    expect(check.exitCode, check.all).toBe(0);
    expect(check.stdout).toMatch(/✔ client-reaches-service on client/);
    const exec = await lab(['exec', file, 'worker2', '-i', instance, '--', 'hostname']);
    expect(exec.stdout.trim()).toBe('worker2');
  });

  it('lab down is vagrant destroy -f; a second down is a no-op', async () => {
    const r = await lab(['down', file, '-i', instance]);
    expect(r.exitCode, r.all).toBe(0);
    expect(calls().at(-1)).toBe('destroy -f');
    expect(existsSync(join(vagrantState, 'bgp-metallb', instance))).toBe(false);
    const before = calls().length;
    expect((await lab(['down', file, '-i', instance])).exitCode).toBe(0);
    // a no-op: no vagrant call at all, and still no instance folder
    expect(calls().slice(before)).toEqual([]);
    expect(existsSync(join(vagrantState, 'bgp-metallb', instance))).toBe(false);
  });

  it('lab gc destroys machines whose instance is gone', async () => {
    const orphan = `${instance}o`;
    const up = await lab(['up', file, '--provider', 'vagrant', '-i', orphan]);
    expect(up.exitCode, up.all).toBe(0);
    // a crash that lost the state folder: the machines stay in Vagrant's index
    rmSync(join(vagrantState, 'bgp-metallb', orphan, 'instance.json'));
    const dry = await lab(['gc', '--dry-run']);
    expect(dry.stdout).toMatch(
      new RegExp(`would remove orphaned Vagrant machine router \\(.*${orphan}/vagrant\\)`),
    );
    const gc = await lab(['gc']);
    expect(gc.exitCode, gc.all).toBe(0);
    expect(calls().filter((c) => /^destroy -f [0-9a-f]{7}$/.test(c))).toHaveLength(NODES.length);
    expect((await lab(['gc', '--dry-run'])).stdout).not.toMatch(/Vagrant machine/);
    rmSync(join(vagrantState, 'bgp-metallb', orphan), { recursive: true, force: true });
  }, 240_000);
});
