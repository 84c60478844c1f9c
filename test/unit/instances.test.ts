// runningInstances() leaves out what crashed runs left; gc and status still see those.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { destroyInstance } from '../../src/engine/down.js';
import { isCrashed, recordedInstances, runningInstances } from '../../src/engine/instances.js';
import { createInstanceDir } from '../../src/engine/state.js';

const root = mkdtempSync(join(tmpdir(), 'lab-instances-'));
const saved = process.env.LAB_STATE_DIR;
process.env.LAB_STATE_DIR = root;
afterAll(() => {
  process.env.LAB_STATE_DIR = saved;
  if (saved === undefined) delete process.env.LAB_STATE_DIR;
  rmSync(root, { recursive: true, force: true });
});

const GONE = 4_194_303; // above any pid this kernel hands out by default
function record(instance: string, status: string, ownerPid?: number) {
  const dir = join(root, 'lab-x', instance);
  mkdirSync(dir, { recursive: true });
  const r = {
    id: `lab-x/${instance}`,
    lab: 'lab-x',
    instance,
    file: 'f',
    sets: [],
    provider: 'netns',
    dir,
    status,
    ownerPid,
    createdAt: '',
  };
  writeFileSync(join(dir, 'instance.json'), JSON.stringify(r));
}

describe('instances', () => {
  record('up', 'up');
  record('failed', 'failed');
  record('starting-live', 'starting', process.pid);
  record('starting-dead', 'starting', GONE);
  record('stopping-dead', 'stopping', GONE);
  record('stopping-noowner', 'stopping');

  it('running ones exclude crash leftovers', () => {
    expect(
      runningInstances()
        .map((r) => r.instance)
        .sort(),
    ).toEqual(['failed', 'starting-live', 'up']);
  });

  it('recorded ones include them, and isCrashed names them', () => {
    const crashed = recordedInstances()
      .filter(isCrashed)
      .map((r) => r.instance)
      .sort();
    expect(crashed).toEqual(['starting-dead', 'stopping-dead', 'stopping-noowner']);
  });
});

describe("a folder at an instance's place that lab did not make", () => {
  // LAB_STATE_DIR=/ and a lab named etc: its instance default is /etc/default
  const foreign = () => {
    const dir = join(root, 'etc', 'default');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'grub'), 'important');
    return dir;
  };

  it('is left as it was by up and by down, which say why (state-unwritable, exit 3)', async () => {
    const dir = foreign();
    expect(() => createInstanceDir('etc', 'default')).toThrow(/no instance folder lab made: it holds "grub"/);
    await expect(destroyInstance(dir, undefined)).rejects.toMatchObject({
      code: 'state-unwritable',
      exitCode: 3,
    });
    expect(readFileSync(join(dir, 'grub'), 'utf8')).toBe('important');
  });

  it("a crash's leftover, holding only what lab writes, is still cleared", async () => {
    const dir = join(root, 'lab-y', 'left');
    mkdirSync(join(dir, 'ssh'), { recursive: true });
    writeFileSync(join(dir, 'journal.jsonl'), '');
    // lab render's default output goes there too
    mkdirSync(join(dir, 'rendered-vagrant'), { recursive: true });
    await destroyInstance(dir, undefined);
    expect(existsSync(dir)).toBe(false);
  });
});
