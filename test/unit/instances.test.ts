// runningInstances() leaves out what crashed runs left; gc and status still see those.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isCrashed, recordedInstances, runningInstances } from '../../src/engine/instances.js';

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
