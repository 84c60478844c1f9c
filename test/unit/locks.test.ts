// Lock files outlive a SIGKILLed `lab up`: gc removes those whose owner is dead, never a live one's.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTimeOf } from '../../src/host/processes.js';

const dir = mkdtempSync(join(tmpdir(), 'lab-locks-'));
let removeStaleLocks: (dryRun?: boolean) => string[];

beforeAll(async () => {
  process.env.LAB_LOCK_DIR = dir; // read when the module loads
  ({ removeStaleLocks } = await import('../../src/engine/lock.js'));
});
afterAll(() => {
  delete process.env.LAB_LOCK_DIR;
  rmSync(dir, { recursive: true, force: true });
});

/** A pid that certainly ended: a child that exited and was waited for. */
const deadPid = () => spawnSync('true').pid as number;

const lock = (name: string, owner: object | string) =>
  writeFileSync(join(dir, `${name}.lock`), typeof owner === 'string' ? owner : JSON.stringify(owner));

describe('stale instance locks', () => {
  it("names and removes the locks of dead owners, keeps a live owner's", () => {
    const since = new Date().toISOString();
    lock('bgp-metallb.killed', { pid: deadPid(), starttime: '1', command: 'up', since });
    lock('bgp-metallb.reused-pid', { pid: process.pid, starttime: 'not-its-start', command: 'up', since });
    lock('bgp-metallb.torn', '{"pid":');
    lock('bgp-metallb.live', { pid: process.pid, starttime: startTimeOf(process.pid), command: 'up', since });

    expect(removeStaleLocks(true).sort()).toEqual([
      'bgp-metallb.killed',
      'bgp-metallb.reused-pid',
      'bgp-metallb.torn',
    ]);
    expect(existsSync(join(dir, 'bgp-metallb.killed.lock')), 'a dry run removes nothing').toBe(true);

    expect(removeStaleLocks().sort()).toEqual([
      'bgp-metallb.killed',
      'bgp-metallb.reused-pid',
      'bgp-metallb.torn',
    ]);
    expect(existsSync(join(dir, 'bgp-metallb.killed.lock'))).toBe(false);
    expect(existsSync(join(dir, 'bgp-metallb.torn.lock'))).toBe(false);
    expect(existsSync(join(dir, 'bgp-metallb.live.lock'))).toBe(true);
    expect(removeStaleLocks()).toEqual([]);
  });
});
