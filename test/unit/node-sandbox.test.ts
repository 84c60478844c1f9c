// The node sandbox's parts that need no root: id ranges taken without collisions, the cgroup script,
// the fstab's masks and read-only paths.
import { lutimesSync, mkdirSync, mkdtempSync, readdirSync, readlinkSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';

const scratch = mkdtempSync(join(tmpdir(), 'lab-node-sandbox-'));
const ranges = join(scratch, 'uids');
const cgroups = join(scratch, 'cgroup');
vi.stubEnv('LAB_UID_RANGES_DIR', ranges);
vi.stubEnv('LAB_USERNS_DIR', join(scratch, 'userns'));
vi.stubEnv('LAB_CGROUP_ROOT', cgroups);
for (const c of ['memory', 'pids', 'cpu']) mkdirSync(join(cgroups, c, 'tasks'), { recursive: true });

const { allocateIdRanges, releaseIdRanges, ID_COUNT } = await import('../../src/providers/netns/userns.js');
const { cgroupProcsFiles, cgroupSetupScript } = await import('../../src/providers/netns/cgroups.js');
const { sandboxFstab } = await import('../../src/providers/netns/sandbox.js');
const { nodeDirs } = await import('../../src/providers/netns/node-files.js');

afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('node id ranges', () => {
  it('gives each namespace its own range of 65536 ids above the host users, never one taken', () => {
    const a = allocateIdRanges(['lab.x.a.n1', 'lab.x.a.n2']);
    const b = allocateIdRanges(['lab.x.b.n1']);
    const bases = [...a.values(), ...b.values()];
    expect(new Set(bases).size).toBe(3);
    for (const base of bases) {
      expect(base).toBeGreaterThanOrEqual(100000);
      expect((base - 100000) % ID_COUNT).toBe(0);
    }
    // /run/lab/uids names each range's holder
    expect(
      readdirSync(ranges)
        .map((s) => readlinkSync(join(ranges, s)))
        .sort(),
    ).toEqual(['lab.x.a.n1', 'lab.x.a.n2', 'lab.x.b.n1']);
    releaseIdRanges(['lab.x.a.n1', 'lab.x.a.n2']);
    expect(readdirSync(ranges).map((s) => readlinkSync(join(ranges, s)))).toEqual(['lab.x.b.n1']);
    // a freed range is taken again; the held one is not
    const c = allocateIdRanges(['lab.x.c.n1', 'lab.x.c.n2', 'lab.x.c.n3']);
    expect([...c.values()]).not.toContain(b.get('lab.x.b.n1'));
    releaseIdRanges(['lab.x.b.n1', 'lab.x.c.n1', 'lab.x.c.n2', 'lab.x.c.n3']);
  });

  it('takes back a range whose namespace never appeared, once it is old', () => {
    mkdirSync(ranges, { recursive: true });
    symlinkSync('lab.gone.x.n1', join(ranges, '0'));
    symlinkSync('lab.young.x.n1', join(ranges, '1'));
    const old = new Date(Date.now() - 3600_000);
    // the symlink's own time
    lutimesSync(join(ranges, '0'), old, old);
    const got = allocateIdRanges(['lab.new.x.n1']);
    expect(got.get('lab.new.x.n1')).toBe(100000 + ID_COUNT);
    expect(readlinkSync(join(ranges, '1'))).toBe('lab.young.x.n1');
    releaseIdRanges(['lab.new.x.n1', 'lab.young.x.n1']);
  });
});

describe('a network whose journal cannot be written', () => {
  it('gives back the id ranges it took, which no teardown would find (a full disk)', async () => {
    const { createNetwork } = await import('../../src/providers/netns/network.js');
    const full = Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
    const journal = {
      record: () => {
        throw full;
      },
      update: () => undefined,
    };
    // only what is read before the first journal record: the nodes and their namespaces' names
    const w = {
      lab: { nodes: [{ name: 'r' }, { name: 'c' }] },
      names: { nodeNs: (n: string) => `lab.full.i.${n}`, switchNs: 'lab.full.i', rootLink: 'lab-full' },
    } as unknown as Parameters<typeof createNetwork>[0];
    await expect(createNetwork(w, journal, { cgroups: [], prepare: async () => undefined })).rejects.toBe(
      full,
    );
    const held = readdirSync(ranges).map((s) => readlinkSync(join(ranges, s)));
    expect(held.filter((h) => h.startsWith('lab.full.'))).toEqual([]);
  });
});

describe('node cgroups', () => {
  it("limits each node's memory, pids and CPU, and the node joins them itself", () => {
    const script = cgroupSetupScript([
      { instance: 'lab.l.i', node: 'lab.l.i.r', memoryMb: 256, cpus: 1 },
    ]).join('\n');
    expect(script).toMatch(
      /echo 268435456 > \S*\/memory\/lab\/lab\.l\.i\/lab\.l\.i\.r\/memory\.limit_in_bytes/,
    );
    expect(script).toMatch(/echo 1024 > \S+pids\.max/);
    expect(script).toMatch(/echo 100000 > \S+cpu\.cfs_quota_us/);
    expect(cgroupProcsFiles({ instance: 'lab.l.i', node: 'lab.l.i.r' })).toHaveLength(3);
  });
});

describe('node fstab', () => {
  it('masks /proc as a container does, keeps /proc/sys read-only but its net, and owns /home', () => {
    const rows = sandboxFstab(nodeDirs('/s/i', 'n'), [], { idBase: 165536, diskMb: 50 })
      .trim()
      .split('\n')
      .map((l) => l.split(' '));
    const at = (target: string) => rows.findIndex((r) => r[1] === target);
    expect(rows[0]).toEqual(['lab-proc', '/proc', 'proc', 'nosuid,nodev,noexec', '0', '0']);
    expect(rows[at('/sys')][3]).toMatch(/^ro,/);
    expect(rows[at('/proc/keys')]).toEqual(['/dev/null', '/proc/keys', 'none', 'bind', '0', '0']);
    // net bound first: the recursive read-only bind of /proc/sys then carries it writable
    expect(at('/proc/sys/net')).toBeLessThan(at('/proc/sys'));
    expect(rows[at('/proc/sys')][3]).toBe('rbind,ro');
    expect(rows[at('/tmp')][3]).toContain('size=50m');
    expect(rows[at('/home')][3]).toContain('uid=165536,gid=165536');
    // the host read-only last, by the same mount -a: a target of "/" would be skipped
    expect(rows.at(-1)).toEqual(['lab-ro', '/.', 'none', 'remount,bind,ro', '0', '0']);
  });
});
