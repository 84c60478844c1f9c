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

describe('up at the place of an instance a crashed run left', () => {
  const busy = (instance: string) => {
    try {
      createInstanceDir('lab-x', instance);
    } catch (e) {
      return e as Error & { code?: string; exitCode?: number; details?: string[] };
    }
    throw new Error(`${instance}: createInstanceDir did not refuse`);
  };

  it('says the run that made it is gone and how to remove it, not "status starting" (busy, exit 6)', () => {
    const e = busy('starting-dead');
    expect(e.message).toBe(
      `lab-x (instance starting-dead) is left over from a lab up that ended before it finished (pid ${GONE} is gone)`,
    );
    expect(e).toMatchObject({ exitCode: 6 });
    expect(e.details?.join(' ')).toMatch(/^Remove what it left with lab down lab-x -i starting-dead /);
    expect(busy('stopping-noowner').message).toMatch(
      /left over from a lab down that ended before it finished$/,
    );
  });

  it('still names a live run and an instance up as such, and leaves all of them in place', () => {
    expect(busy('starting-live').message).toMatch(
      /present, status starting \(lab up, pid \d+, is still starting it\)/,
    );
    expect(busy('up').message).toBe('lab-x (instance up) is already up');
    for (const i of ['starting-dead', 'starting-live', 'up'])
      expect(existsSync(join(root, 'lab-x', i, 'instance.json'))).toBe(true);
  });
});
