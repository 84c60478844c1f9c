import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { boxKey, labBox } from '../../src/providers/vagrant/box/box.js';
import { BOX_PACKAGES } from '../../src/providers/vagrant/box/packages.js';

describe('lab box', () => {
  it('is a new box when a package, the build script or Node.js changes', () => {
    const base = boxKey(['a', 'b'], 'script', 'v22.12.0');
    expect(boxKey(['b', 'a'], 'script', 'v22.12.0')).toBe(base);
    expect(boxKey(['a', 'b', 'c'], 'script', 'v22.12.0')).not.toBe(base);
    expect(boxKey(['a', 'b'], 'script2', 'v22.12.0')).not.toBe(base);
    expect(boxKey(['a', 'b'], 'script', 'v22.13.0')).not.toBe(base);
  });

  it('holds every package setup.sh installs for the labs (the VM has no network to fetch one)', () => {
    const setup = readFileSync(join(__dirname, '../../setup.sh'), 'utf8');
    const line = setup.match(/the daemons the labs run[^\n]*\napt-get install[^\\]*\\\n([^>]*)>/);
    expect(line).not.toBeNull();
    const wanted = line![1].split(/\s+/).filter((p) => p && p !== '\\' && p !== 'netplan.io');
    expect(wanted.length).toBeGreaterThan(10);
    expect(wanted.filter((p) => !(BOX_PACKAGES as readonly string[]).includes(p))).toEqual([]);
  });

  it('lives in the cache under its key', () => {
    process.env.LAB_CACHE_DIR = '/tmp/lab-cache-test';
    try {
      const box = labBox('0123456789ab');
      expect(box).toEqual({
        key: '0123456789ab',
        name: 'lab/bookworm-0123456789ab',
        dir: '/tmp/lab-cache-test/box/0123456789ab',
        file: '/tmp/lab-cache-test/box/0123456789ab/lab.box',
        boot: '/var/lib/libvirt/boot/lab-bookworm-0123456789ab',
      });
    } finally {
      delete process.env.LAB_CACHE_DIR;
    }
  });
});
