// A process group lab starts (the network's setup shell) ends whole: at its time limit or abort, and at
// teardown even when its leader has ended and left members behind (a background job holding the output
// pipe made the command wait forever, and teardown skipped the group for want of its leader).
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { runCommand } from '../../src/host/command.js';
import { isAlive, startTimeOf, stopGroups } from '../../src/host/processes.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('process groups', () => {
  it('a group that outlives its time ends whole, background jobs included, and the command returns', async () => {
    let pgid = 0;
    const t = performance.now();
    const r = await runCommand('/bin/sh', ['-c', 'sleep 300 & echo $!; sleep 300'], {
      timeoutMs: 500,
      group: (pid) => {
        pgid = pid;
      },
    });
    expect(performance.now() - t).toBeLessThan(5000);
    expect(r.timedOut).toBe(true);
    const background = Number(r.stdout.trim());
    expect(background).toBeGreaterThan(0);
    for (let i = 0; i < 50 && isAlive(background); i++) await sleep(20);
    expect(isAlive(background), 'the background job lives on').toBe(false);
    expect(pgid).toBeGreaterThan(0);
  });

  it('an aborted group ends whole', async () => {
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 200);
    const t = performance.now();
    const r = await runCommand('/bin/sh', ['-c', 'sleep 300 & sleep 300'], {
      signal: ac.signal,
      group: () => undefined,
    });
    expect(performance.now() - t).toBeLessThan(5000);
    expect(r.exitCode).not.toBe(0);
  });

  it('teardown ends a group whose leader has ended, its members left behind', async () => {
    // the leader starts a member in its group, says its pid and ends
    const leader = spawn('/bin/sh', ['-c', 'sleep 300 >/dev/null 2>&1 & echo $!'], {
      detached: true,
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    const starttime = startTimeOf(leader.pid!);
    let out = '';
    leader.stdout.on('data', (d) => {
      out += d;
    });
    await new Promise((r) => leader.on('close', r));
    const member = Number(out.trim());
    expect(isAlive(member)).toBe(true);
    for (let i = 0; i < 50 && startTimeOf(leader.pid!) !== undefined; i++) await sleep(20); // reaped
    await stopGroups([{ pid: leader.pid!, starttime }], 2000);
    expect(isAlive(member), 'the member of the ended leader lives on').toBe(false);
  });

  it('leaves alone a group whose leader PID now names another process', async () => {
    const other = spawn('/bin/sh', ['-c', 'sleep 300'], { detached: true, stdio: 'ignore' });
    try {
      await stopGroups([{ pid: other.pid!, starttime: '1' }], 200);
      expect(isAlive(other.pid!)).toBe(true);
    } finally {
      process.kill(-other.pid!, 'SIGKILL');
    }
  });
});
