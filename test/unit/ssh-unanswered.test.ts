// A node that does not answer (its sshd frozen: SIGSTOP, a hung host) is waited for once: the calls
// right behind a failed connection get its answer at once, as lab check's next checks on that node
// did not (each waited out its whole 5 s connect timeout). Past that time, a new try is made.

import type { AddressInfo } from 'node:net';
import { createServer, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { publicKeyOf } from '../../src/serve/gateway/index.js';
import { generateKeyPair } from '../../src/transport/keys.js';
import { SshShell } from '../../src/transport/ssh.js';

const userKey = generateKeyPair('user');
const hostKey = generateKeyPair('node host');

describe('a node whose sshd accepts and never speaks', () => {
  let frozen: Server;
  const sockets: Socket[] = [];
  let accepted = 0;
  let shell: SshShell;

  beforeAll(async () => {
    frozen = createServer((s) => {
      accepted++;
      sockets.push(s);
    });
    await new Promise<void>((r) => frozen.listen(0, '127.0.0.1', r));
    shell = new SshShell(
      {
        node: 'client',
        host: '127.0.0.1',
        port: (frozen.address() as AddressInfo).port,
        privateKey: userKey.privateKey,
        hostKey: publicKeyOf(hostKey.privateKey),
      },
      { connectTimeoutMs: 1500 },
    );
  });

  afterAll(() => {
    shell?.close();
    for (const s of sockets) s.destroy();
    frozen?.close();
  });

  const timed = async (fn: () => Promise<unknown>) => {
    const t = performance.now();
    const error = await fn().then(
      () => undefined,
      (e: Error) => e,
    );
    return { ms: performance.now() - t, error };
  };

  it('waits its connect timeout once, then answers the next calls at once, then tries again', async () => {
    const first = await timed(() => shell.exec('true'));
    expect(first.error?.message).toMatch(/client: cannot connect over SSH to 127\.0\.0\.1/);
    expect(first.ms).toBeGreaterThan(1000);
    const triesAfterFirst = accepted;
    const next = await timed(() => shell.exec('true'));
    expect(next.error?.message).toBe(first.error?.message);
    expect(next.ms).toBeLessThan(200);
    expect(accepted).toBe(triesAfterFirst); // no connection made for it
    await new Promise((r) => setTimeout(r, 1600));
    const later = await timed(() => shell.exec('true'));
    expect(later.error).toBeDefined();
    expect(accepted).toBeGreaterThan(triesAfterFirst); // a new try
  });
});
