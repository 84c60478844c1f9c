// The booter reads each node's lines from its launcher: the holder's pid (from the launch shell), then
// ready and started (from the node's init). The holder is a forked subshell, which may speak before its
// parent says its pid: seen in a fresh-clone npm test (nightly-broken's client, 'booted, but its
// holder and sshd were not found on the host').
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { type Booted, Booter } from '../../src/providers/netns/boot.js';

const journal = { record: () => undefined, update: () => undefined } as never;

function pending() {
  let resolve!: (b: Booted) => void;
  let reject!: (e: Error) => void;
  const booted = new Promise<Booted>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  const req = { node: 'n1', netns: 'ns1', dirs: { log: '/tmp' }, scriptFile: '/tmp/start' } as never;
  return { booted, p: { req, resolve, reject } };
}

describe('the booter reads its launcher', () => {
  it('takes a node ready (and started) before the launch shell says the holder', async () => {
    // stand-ins on the host: this process as the holder, a child of it as sshd (pids as the node sees
    // them are the host's here, in the host's PID namespace)
    const sshd = spawn('sleep', ['5']);
    try {
      const booter = new Booter(journal) as unknown as {
        onLine(line: string, byNode: Map<string, unknown>): void;
      };
      const { booted, p } = pending();
      const byNode = new Map([['ns1', p]]);
      for (const line of [`ns1 ready 1 ${sshd.pid}`, 'ns1 started 0', `ns1 holder ${process.pid}`])
        booter.onLine(line, byNode);
      const b = await booted;
      expect(b.holderPid).toBe(process.pid);
      expect(b.sshdPid).toBe(sshd.pid);
      expect((await b.started).exitCode).toBe(0);
      expect(byNode.size).toBe(0);
    } finally {
      sshd.kill();
    }
  });
});
