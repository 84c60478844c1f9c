// The host's instance list is read while other runs come and go: an entry that goes away between
// listing and reading is an instance that went down, not an error (a side-by-side lab down made
// lab up exit 1 with ENOENT on /run/lab/instances/LAB.INSTANCE).
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const root = mkdtempSync(join(tmpdir(), 'lab-instances-'));
const list = join(root, 'instances');
const saved = { list: process.env.LAB_INSTANCES_DIR, state: process.env.LAB_STATE_DIR };
process.env.LAB_INSTANCES_DIR = list;
process.env.LAB_STATE_DIR = join(root, 'state');
afterAll(() => {
  for (const [k, v] of [
    ['LAB_INSTANCES_DIR', saved.list],
    ['LAB_STATE_DIR', saved.state],
  ] as const)
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  rmSync(root, { recursive: true, force: true });
});

describe('the host instance list', () => {
  it('skips an entry that went away after the list was read, and still reads the others', async () => {
    // the module reads LAB_INSTANCES_DIR when loaded
    const { listedInstances, damagedInstances, knownInstances } = await import(
      '../../src/engine/host-instances.js'
    );
    const dir = join(root, 'state', 'lab-x', 'a');
    mkdirSync(dir, { recursive: true });
    writeFileSync(
      join(dir, 'instance.json'),
      JSON.stringify({ id: 'lab-x/a', lab: 'lab-x', instance: 'a', dir }),
    );
    mkdirSync(list, { recursive: true });
    writeFileSync(join(list, 'lab-x.a'), dir);
    // listed by readdir, gone when read: what a down between the two calls leaves
    symlinkSync(join(list, 'removed-meanwhile'), join(list, 'lab-x.gone'));
    expect(listedInstances().map((i) => i.instance)).toEqual(['a']);
    expect(damagedInstances()).toEqual([]);
    expect(knownInstances().map((i) => i.instance)).toEqual(['a']);
  });
});
