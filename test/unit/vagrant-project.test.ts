// The Vagrant projects of every lab, both modes: Vagrantfiles pass `vagrant validate` for libvirt and
// VirtualBox, every step script passes shellcheck, kubeadm configurations fit kubeadm's v1beta3 types,
// and each plan matches its golden file (test/golden/vagrant/<lab>/).
// After an intended change: UPDATE_GOLDEN=1 npx vitest run test/unit/vagrant-project.test.ts
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Ajv } from 'ajv';
import { afterAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { metallb } from '../../src/addons/metallb/index.js';
import { DefinitionError } from '../../src/errors.js';
import { openLab } from '../../src/model/open.js';
import { PROJECT_DIR } from '../../src/paths.js';
import { machinesOf, totals } from '../../src/providers/vagrant/machines.js';
import { resourceProblems } from '../../src/providers/vagrant/preflight.js';
import { buildProject } from '../../src/providers/vagrant/project.js';
import { unrealizedOnVms } from '../../src/providers/vagrant/realizable.js';
import { writeProject } from '../../src/providers/vagrant/render.js';
import { parseSshConfig } from '../../src/providers/vagrant/ssh-config.js';
import { roleOf } from '../../src/roles/index.js';
import { LAB_NAMES, labFile } from '../helpers/labs.js';

const has = (cmd: string) => spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;
const VAGRANT = has('vagrant');
const SHELLCHECK = has('shellcheck');
if (!VAGRANT)
  console.warn('vagrant validate skipped: vagrant is absent (./setup.sh --deps-only installs it)');
if (!SHELLCHECK)
  console.warn('shellcheck skipped: shellcheck is absent (./setup.sh --deps-only installs it)');

const FAKE_VBOX = join(PROJECT_DIR, 'test', 'fixtures', 'vagrant', 'bin');
const work = mkdtempSync(join(tmpdir(), 'lab-vagrant-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const MODES = ['vagrant', 'vagrant-host'] as const;
// a lab the VMs cannot realize yet (clos-fabric's /31 links) is refused by name, and goes as vagrant-host
const onVms = (name: string) => unrealizedOnVms(openLab(labFile(name)).lab).length === 0;
const projects = LAB_NAMES.flatMap((name) =>
  MODES.filter((mode) => mode === 'vagrant-host' || onVms(name)).map((mode) => {
    const project = buildProject({
      lab: openLab(labFile(name)).lab,
      instance: 'default',
      mode,
      hypervisor: 'libvirt',
      managementPrefix: '192.168.200.0/24',
      projectDir: 'PROJECT',
    });
    const dir = join(work, `${name}-${mode}`);
    writeProject(project, dir);
    return { name, mode, project, dir };
  }),
);

function validate(dir: string, provider: 'libvirt' | 'virtualbox') {
  return spawnSync('vagrant', ['validate'], {
    cwd: dir,
    encoding: 'utf8',
    env: {
      ...process.env,
      VAGRANT_CHECKPOINT_DISABLE: '1',
      // Vagrant's own state (~/.vagrant.d) goes into the test's folder, removed afterwards
      VAGRANT_HOME: join(work, 'vagrant-home'),
      VAGRANT_DEFAULT_PROVIDER: provider,
      PATH: `${FAKE_VBOX}:${process.env.PATH}`,
    },
  });
}

describe.skipIf(!VAGRANT)('vagrant validate', () => {
  it.each(
    projects.flatMap((p) =>
      (['libvirt', 'virtualbox'] as const).map((h) => [`${p.name} ${p.mode} ${h}`, p.dir, h] as const),
    ),
  )('%s', (_title, dir, provider) => {
    const r = validate(dir, provider);
    expect(r.status, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain('Vagrantfile validated successfully');
  });

  it("vagrant-host on lab's own box under software emulation, as CI runs it", () => {
    const dir = join(work, 'bgp-metallb-lab-box');
    const source = join(work, 'staged');
    mkdirSync(source, { recursive: true });
    const project = buildProject({
      lab: openLab(labFile('bgp-metallb')).lab,
      instance: 'default',
      mode: 'vagrant-host',
      hypervisor: 'libvirt',
      managementPrefix: '192.168.200.0/24',
      projectDir: 'PROJECT',
      labBox: { name: 'lab/bookworm-0123456789ab', source },
      driver: 'qemu',
    });
    writeProject(project, dir);
    const vagrantfile = readFileSync(join(dir, 'Vagrantfile'), 'utf8');
    expect(vagrantfile).toContain('lv.driver = "qemu"');
    expect(vagrantfile).toContain('config.vm.box = "lab/bookworm-0123456789ab"');
    // offline: no provisioner fetches Node.js or runs setup.sh, nothing is left out of the sync
    expect(vagrantfile).not.toMatch(/provision|box_version|rsync__exclude/);
    for (const h of ['libvirt', 'virtualbox'] as const) {
      const r = validate(dir, h);
      expect(r.status, r.stdout + r.stderr).toBe(0);
    }
  });

  it('every machine the project names is a machine the Vagrantfile defines', () => {
    for (const p of projects) {
      const vagrantfile = readFileSync(join(p.dir, 'Vagrantfile'), 'utf8');
      const defined = [...vagrantfile.matchAll(/config\.vm\.define "([a-z0-9-]+)"/g)].map((m) => m[1]);
      expect(defined, `${p.name} ${p.mode}`).toEqual(p.project.machines);
    }
  });

  it('a setting the provider does not know fails validation (the check is not vacuous)', () => {
    const dir = join(work, 'broken');
    mkdirSync(dir, { recursive: true });
    const good = readFileSync(join(projects[0].dir, 'Vagrantfile'), 'utf8');
    writeFileSync(join(dir, 'Vagrantfile'), good.replace('lv.cpus =', 'lv.cpu_count = 2\n      lv.cpus ='));
    const r = validate(dir, 'libvirt');
    expect(r.status).not.toBe(0);
    expect(r.stdout + r.stderr).toContain('cpu_count');
  });
});

describe.skipIf(!SHELLCHECK)('shellcheck on every generated script', () => {
  it.each(projects.map((p) => [`${p.name} ${p.mode}`, p] as const))('%s', (_title, p) => {
    const scripts = p.project.files.filter((f) => f.path.endsWith('.sh')).map((f) => join(p.dir, f.path));
    expect(scripts.length).toBeGreaterThan(0);
    const r = spawnSync('shellcheck', ['--shell=bash', '--severity=style', ...scripts], { encoding: 'utf8' });
    expect(r.status, r.stdout).toBe(0);
  });

  it('a broken script fails (the check is not vacuous)', () => {
    const file = join(work, 'broken.sh');
    writeFileSync(file, '#!/usr/bin/env bash\nrm -rf $DIR/*\n');
    expect(spawnSync('shellcheck', [file]).status).not.toBe(0);
  });
});

describe('kubeadm configurations against kubeadm v1beta3', () => {
  const schema = JSON.parse(
    readFileSync(join(PROJECT_DIR, 'test', 'schemas', 'kubeadm', 'v1beta3.json'), 'utf8'),
  );
  const validate = new Ajv({ strict: false, allErrors: true }).compile(schema);
  const configs = projects
    .filter((p) => p.mode === 'vagrant')
    .flatMap((p) =>
      p.project.files
        .filter((f) => f.path.endsWith('/etc/kubernetes/kubeadm-config.yaml'))
        .map((f) => [`${p.name} ${f.path}`, f.content] as const),
    );

  it('every Kubernetes lab has one', () => {
    expect(configs.length).toBeGreaterThanOrEqual(4);
  });

  it.each(configs)('%s', (_title, content) => {
    const docs = parseAllDocuments(content).map((d) => d.toJS());
    expect(docs.map((d) => d.kind)).toEqual(['InitConfiguration', 'ClusterConfiguration']);
    for (const doc of docs) expect(validate(doc), JSON.stringify(validate.errors)).toBe(true);
  });

  it('a misspelled field fails (the check is not vacuous)', () => {
    expect(
      validate({
        apiVersion: 'kubeadm.k8s.io/v1beta3',
        kind: 'ClusterConfiguration',
        networking: { podSubnets: '10.0.0.0/8' },
      }),
    ).toBe(false);
    expect(
      validate({
        apiVersion: 'kubeadm.k8s.io/v1beta3',
        kind: 'ClusterConfiguration',
        kubernetesVersion: '1.30.4',
      }),
    ).toBe(false);
  });
});

describe('sizes', () => {
  it.each(LAB_NAMES.filter(onVms))('%s: its VMs fit the memory its requirements.vagrant states', (name) => {
    const lab = openLab(labFile(name)).lab;
    const need = lab.requirements.vagrant;
    expect(need, `${name} states no requirements.vagrant`).toBeDefined();
    expect(totals(machinesOf(lab, 'default')).memoryMb).toBeLessThanOrEqual(need!.memory_mb);
  });

  it('preflight names every shortfall at once', () => {
    const lab = openLab(labFile('tf-multicluster')).lab;
    const problems = resourceProblems(lab, 'vagrant', { cpus: 2, memoryMb: 4096, diskMb: 1000 });
    expect(problems.map((p) => p.split(':')[0])).toEqual(['CPUs', 'memory', 'disk']);
    expect(resourceProblems(lab, 'vagrant', { cpus: 64, memoryMb: 262144, diskMb: 10 ** 6 })).toEqual([]);
    // one VM carrying the emulated lab asks far less than the full realization
    expect(resourceProblems(lab, 'vagrant-host', { cpus: 4, memoryMb: 8192, diskMb: 50_000 })).toEqual([]);
  });
});

describe('ssh-config', () => {
  it('reads each machine: address, port, user, its own key', () => {
    const text = `Host master
  HostName 192.168.200.12
  User vagrant
  Port 22
  UserKnownHostsFile /dev/null
  IdentityFile /p/.vagrant/machines/master/libvirt/private_key
  IdentitiesOnly yes

Host client
  HostName 127.0.0.1
  User vagrant
  Port 2201
  IdentityFile "/p q/.vagrant/machines/client/virtualbox/private_key"
  IdentityFile /home/u/.vagrant.d/insecure_private_key
`;
    expect(parseSshConfig(text)).toEqual([
      {
        node: 'master',
        host: '192.168.200.12',
        port: 22,
        user: 'vagrant',
        identityFile: '/p/.vagrant/machines/master/libvirt/private_key',
      },
      {
        node: 'client',
        host: '127.0.0.1',
        port: 2201,
        user: 'vagrant',
        identityFile: '/p q/.vagrant/machines/client/virtualbox/private_key',
      },
    ]);
  });
});

describe('steps', () => {
  it('join after init, with the command the control plane printed; MetalLB after the CNI phase', () => {
    const { steps } = projects.find((p) => p.name === 'bgp-metallb' && p.mode === 'vagrant')!.project;
    const at = (phase: string, node: string) => steps.findIndex((s) => s.phase === phase && s.node === node);
    expect(at('kubeadm-init', 'master')).toBeLessThan(at('kubeadm-join', 'worker1'));
    expect(steps[at('kubeadm-join', 'worker2')].inputs).toEqual([
      { path: '/etc/lab/join-command', from: { node: 'master', path: '/etc/lab/join-command' } },
    ]);
    expect(at('addons', 'master')).toBeGreaterThan(at('kubeadm-join', 'worker3'));
    expect(steps.filter((s) => s.node === 'client').map((s) => s.phase)).toEqual(['base']);
  });

  it('MetalLB configInline installs the chart with the rendered values and applies no CRs', () => {
    const lab = openLab(labFile('bgp-metallb'), ['workers=1']).lab;
    const k8s = lab.clusters.find((c) => c.name === 'k8s')!;
    k8s.addons.metallb = { ...k8s.addons.metallb!, config: 'configInline', chart_version: '0.12.1' };
    const project = buildProject({
      lab,
      instance: 'default',
      mode: 'vagrant',
      hypervisor: 'libvirt',
      managementPrefix: '192.168.200.0/24',
      projectDir: 'P',
    });
    const metallb = project.steps.find((s) => s.phase === 'addons')!.script;
    expect(metallb).toContain("--version '0.12.1'");
    expect(metallb).toContain("-f '/etc/lab/manifests/metallb-values.yaml'");
    expect(metallb).not.toContain('metallb-resources.yaml');
  });

  it('a router VM forwards IPv6 as well as IPv4, as bird-router does on netns; a client forwards nothing', () => {
    const { steps } = projects.find((p) => p.name === 'bgp-metallb' && p.mode === 'vagrant')!.project;
    const base = (node: string) => steps.find((s) => s.phase === 'base' && s.node === node)!.script;
    expect(base('router')).toContain('sysctl -q -w net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1');
    expect(base('router')).toContain('net.ipv6.conf.all.forwarding = 1');
    expect(base('client')).not.toContain('forwarding');
  });

  it('a route to default becomes one route per lab network the node is not on (Vagrant keeps its NAT)', () => {
    const { steps } = projects.find((p) => p.name === 'bgp-metallb' && p.mode === 'vagrant')!.project;
    const base = steps.find((s) => s.phase === 'base' && s.node === 'worker1')!.script;
    expect(base).toContain("ip route replace '172.16.0.0/24' via '10.0.0.1'");
    expect(base).not.toMatch(/ip route replace 'default'/);
  });
});

describe('what the VMs do not realize is refused, not left out', () => {
  const conformance = (name: string) =>
    openLab(join(PROJECT_DIR, 'test', 'conformance', name, 'lab.yaml')).lab;

  it('names FRR routers, IPv6 addresses and loopbacks, node by node', () => {
    expect(unrealizedOnVms(conformance('md5-bfd-communities'))).toEqual([
      'b: role frr-router has no VM realization yet',
    ]);
    const dual = unrealizedOnVms(conformance('ipv6-dual-stack'));
    expect(dual).toContain("r1: IPv6 on core, lan1: the VMs' private networks are given IPv4 addresses only");
    expect(dual).toContain('r1: loopback 10.255.6.1, fd00:ff::1 is not configured on VMs');
  });

  it('refuses before a machine is planned, with a definition error (exit 2) saying where it can run', () => {
    const lab = conformance('ibgp-rr-ospf');
    let error: unknown;
    try {
      machinesOf(lab, 'x');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(DefinitionError);
    expect((error as Error).message).toMatch(
      /^ibgp-rr-ospf cannot come up as VMs: rr1: loopback 10\.255\.0\.1/,
    );
    expect((error as Error).message).toContain('--provider vagrant-host');
  });

  it('refuses a role or an add-on that has no vm, by name: the VMs realize exactly the plug-ins that say how', () => {
    const lab = openLab(labFile('bgp-metallb')).lab;
    const { vm: speakerVm } = roleOf('metallb-speaker')!;
    const { vm: addonVm } = metallb;
    try {
      delete roleOf('metallb-speaker')!.vm;
      delete (metallb as { vm?: unknown }).vm;
      expect(unrealizedOnVms(lab)).toEqual([
        'cluster k8s: add-on metallb has no VM realization yet',
        ...lab.nodes
          .filter((n) => n.roles.includes('metallb-speaker'))
          .map((n) => `${n.name}: role metallb-speaker has no VM realization yet`),
      ]);
    } finally {
      roleOf('metallb-speaker')!.vm = speakerVm;
      Object.assign(metallb, { vm: addonVm });
    }
    expect(unrealizedOnVms(lab)).toEqual([]);
  });

  it('accepts what they realize: the shipped labs and an IPv4 lab of BIRD and ip-routers', () => {
    for (const name of LAB_NAMES.filter((n) => n !== 'clos-fabric'))
      expect(unrealizedOnVms(openLab(labFile(name)).lab), name).toEqual([]);
    // the fabric's /31 links and FRR spines are netns only, said first
    expect(unrealizedOnVms(openLab(labFile('clos-fabric')).lab).slice(0, 2)).toEqual([
      'link fabric: point-to-point /31 links are wired on netns only, not as VM networks yet',
      'spine1: role frr-router has no VM realization yet',
    ]);
    expect(unrealizedOnVms(conformance('ecmp-statics'))).toEqual([]);
  });
});

describe('golden plans', () => {
  it.each(projects.map((p) => [`${p.name} ${p.mode}`, p] as const))('%s', (_title, p) => {
    const file = join(PROJECT_DIR, 'test', 'golden', 'vagrant', p.name, `${p.mode}.plan.txt`);
    if (process.env.UPDATE_GOLDEN) {
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, p.project.plan);
    }
    expect(existsSync(file), `${file} is missing: run with UPDATE_GOLDEN=1 once`).toBe(true);
    expect(p.project.plan).toBe(readFileSync(file, 'utf8'));
  });
});

// the shell fragments also parse with bash itself (a second opinion on syntax)
describe('bash -n', () => {
  it.each(projects.map((p) => [`${p.name} ${p.mode}`, p] as const))('%s', (_title, p) => {
    for (const f of p.project.files.filter((x) => x.path.endsWith('.sh')))
      expect(() => execFileSync('bash', ['-n', join(p.dir, f.path)])).not.toThrow();
  });
});

// the Vagrantfile is Ruby: ruby -c parses it with no Vagrant and no plug-in (a second opinion beside
// vagrant validate, which needs Vagrant installed)
describe.skipIf(!has('ruby'))('ruby -c', () => {
  it.each(projects.map((p) => [`${p.name} ${p.mode}`, p] as const))('%s', (_title, p) => {
    expect(execFileSync('ruby', ['-c', join(p.dir, 'Vagrantfile')], { encoding: 'utf8' })).toMatch(
      /Syntax OK/,
    );
  });

  it('a broken Vagrantfile fails (the check is not vacuous)', () => {
    const bad = join(work, 'Vagrantfile.bad');
    writeFileSync(bad, 'Vagrant.configure("2") do |config|\n  config.vm.box = "x"\n');
    expect(() => execFileSync('ruby', ['-c', bad], { stdio: 'pipe' })).toThrow();
  });
});
