// lab vm box prune: lab's boxes of other keys go (their Vagrant box, libvirt volume, cache folder and
// kernel), the current box, a box a VM's disk rests on and everything not lab's by name stay. Real
// Vagrant, tiny boxes, the libvirt pool and the folders in a temporary place.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { boxKey } from '../../src/providers/vagrant/box/box.js';
import { LAB_BIN } from '../helpers/cli.js';

const has = (tool: string) =>
  execa('sh', ['-c', `command -v ${tool}`], { reject: false }).then((r) => r.exitCode === 0);
const ready = (await has('vagrant')) && (await has('qemu-img'));
const work = mkdtempSync(join(tmpdir(), 'lab-box-prune-'));
const env = {
  VAGRANT_HOME: join(work, 'vagrant.d'),
  VAGRANT_CHECKPOINT_DISABLE: '1',
  LAB_CACHE_DIR: join(work, 'cache'),
  LAB_VM_BOOT_DIR: join(work, 'boot'),
  LAB_LIBVIRT_IMAGES_DIR: join(work, 'images'),
};
const current = boxKey();
const old = '0000000000aa';
const inUse = '0000000000bb';
const volume = (key: string) =>
  join(env.LAB_LIBVIRT_IMAGES_DIR, `lab-VAGRANTSLASH-bookworm-${key}_vagrant_box_image_0_1796595476_box.img`);
const placesOf = (key: string) => [
  volume(key),
  join(env.LAB_CACHE_DIR, 'box', key),
  join(env.LAB_VM_BOOT_DIR, `lab-bookworm-${key}`),
  join(env.VAGRANT_HOME, 'boxes', `lab-VAGRANTSLASH-bookworm-${key}`),
];
const notOurs = [
  join(env.LAB_LIBVIRT_IMAGES_DIR, 'debian-VAGRANTSLASH-bookworm64_vagrant_box_image_12.20240905.1_box.img'),
  join(env.LAB_CACHE_DIR, 'box', 'notakey'),
  join(env.LAB_VM_BOOT_DIR, 'lab-bookworm-short'),
];
const lab = (args: string[]) => execa('node', [LAB_BIN, ...args], { reject: false, all: true, env });
const vagrantBoxes = async () =>
  (await execa('vagrant', ['box', 'list'], { env, reject: false })).stdout
    .split('\n')
    .map((l) => l.split(' ')[0]);

describe.skipIf(!ready)('lab vm box prune', () => {
  beforeAll(async () => {
    const box = join(work, 'tiny');
    mkdirSync(box);
    execFileSync('qemu-img', ['create', '-q', '-f', 'qcow2', join(box, 'box.img'), '1M']);
    writeFileSync(join(box, 'metadata.json'), '{"provider":"libvirt","format":"qcow2","virtual_size":1}\n');
    writeFileSync(join(box, 'Vagrantfile'), 'Vagrant.configure("2") do |config|\nend\n');
    execFileSync('tar', [
      '-C',
      box,
      '-cf',
      join(work, 'tiny.box'),
      'box.img',
      'metadata.json',
      'Vagrantfile',
    ]);
    mkdirSync(env.LAB_LIBVIRT_IMAGES_DIR);
    for (const key of [current, old, inUse]) {
      await execa('vagrant', ['box', 'add', '--name', `lab/bookworm-${key}`, join(work, 'tiny.box')], {
        env,
      });
      execFileSync('qemu-img', ['create', '-q', '-f', 'qcow2', volume(key), '1M']);
      mkdirSync(join(env.LAB_CACHE_DIR, 'box', key), { recursive: true });
      writeFileSync(join(env.LAB_CACHE_DIR, 'box', key, 'lab.box'), 'box');
      mkdirSync(join(env.LAB_VM_BOOT_DIR, `lab-bookworm-${key}`), { recursive: true });
      writeFileSync(join(env.LAB_VM_BOOT_DIR, `lab-bookworm-${key}`, 'vmlinuz'), 'kernel');
    }
    // a VM's disk resting on the in-use box's volume, as vagrant-libvirt makes it
    execFileSync('qemu-img', [
      'create',
      '-q',
      '-f',
      'qcow2',
      '-F',
      'qcow2',
      '-b',
      volume(inUse),
      join(env.LAB_LIBVIRT_IMAGES_DIR, 'bgp-metallb-vm1-host.img'),
    ]);
    execFileSync('qemu-img', ['create', '-q', '-f', 'qcow2', notOurs[0], '1M']);
    mkdirSync(notOurs[1], { recursive: true });
    mkdirSync(notOurs[2], { recursive: true });
  }, 120_000);
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('names what it would remove and removes nothing with --dry-run', async () => {
    const r = await lab(['vm', 'box', 'prune', '--dry-run', '--json']);
    expect(r.exitCode, r.all).toBe(0);
    const { boxes } = JSON.parse(r.stdout) as {
      boxes: { key: string; removed: string[]; keptBecause?: string }[];
    };
    expect(boxes.map((b) => b.key).sort()).toEqual([old, inUse]);
    const oldBox = boxes.find((b) => b.key === old)!;
    expect(oldBox.removed).toHaveLength(4);
    expect(oldBox.removed).toContain(volume(old));
    expect(oldBox.removed).toContain(`Vagrant box lab/bookworm-${old}`);
    expect(boxes.find((b) => b.key === inUse)?.keptBecause).toMatch(/bgp-metallb-vm1-host\.img/);
    for (const p of placesOf(old)) expect(existsSync(p), p).toBe(true);
  });

  it("removes the old box's volume, Vagrant box, cache and kernel; keeps the rest", async () => {
    const r = await lab(['vm', 'box', 'prune']);
    expect(r.exitCode, r.all).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`removed old box lab/bookworm-${old}: Vagrant box`));
    expect(r.stdout).toMatch(
      new RegExp(`kept old box lab/bookworm-${inUse}: the disk bgp-metallb-vm1-host.img`),
    );
    for (const p of placesOf(old)) expect(existsSync(p), p).toBe(false);
    for (const p of [...placesOf(current), ...placesOf(inUse), ...notOurs])
      expect(existsSync(p), p).toBe(true);
    const boxes = await vagrantBoxes();
    expect(boxes).toContain(`lab/bookworm-${current}`);
    expect(boxes).toContain(`lab/bookworm-${inUse}`);
    expect(boxes).not.toContain(`lab/bookworm-${old}`);
  }, 60_000);
});
