// What a node prints cannot fill lab's memory nor flood the terminal: a check command's output is kept
// up to a limit (the rest read and dropped, and said), and a failure shows twelve short lines. A fake
// node (ssh2's Server on loopback) prints 20 MB on one line, as `head -c 400000000 /dev/zero | tr`
// did on a node: lab up then grew to 2 GB, and lab check printed all 400 MB.
import type { AddressInfo } from 'node:net';
import ssh2 from 'ssh2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeFailure } from '../../src/engine/checks.js';
import { publicKeyOf } from '../../src/serve/gateway/index.js';
import { generateKeyPair } from '../../src/transport/keys.js';
import { SshShell } from '../../src/transport/ssh.js';

const userKey = generateKeyPair('user');
const hostKey = generateKeyPair('node host');
const BIG = 20 * 1024 * 1024;

describe('a node that prints without end', () => {
  let node: ssh2.Server;
  let shell: SshShell;

  beforeAll(async () => {
    node = new ssh2.Server({ hostKeys: [hostKey.privateKey] }, (conn) => {
      conn.on('error', () => undefined);
      conn.on('authentication', (ctx) => ctx.accept());
      conn.on('session', (accept) => {
        accept().on('exec', (ok) => {
          const ch = ok();
          const chunk = Buffer.alloc(1024 * 1024, 'x');
          let sent = 0;
          const more = () => {
            while (sent < BIG) {
              sent += chunk.length;
              if (!ch.write(chunk)) return void ch.once('drain', more);
            }
            ch.stderr.write('and on stderr\n');
            ch.exit(0);
            ch.end();
          };
          more();
        });
      });
    });
    await new Promise<void>((r) => node.listen(0, '127.0.0.1', r));
    shell = new SshShell({
      node: 'router',
      host: '127.0.0.1',
      port: (node.address() as AddressInfo).port,
      privateKey: userKey.privateKey,
      hostKey: publicKeyOf(hostKey.privateKey),
    });
  });

  afterAll(() => {
    shell?.close();
    node?.close();
  });

  it('keeps the output up to the limit, reads the rest to the end and says how much it dropped', async () => {
    const r = await shell.exec('yes', { timeoutMs: 20_000, maxOutputChars: 1024 * 1024 });
    expect(r.exitCode).toBe(0);
    expect(r.stdout.length).toBeGreaterThanOrEqual(1024 * 1024);
    expect(r.stdout.length).toBeLessThanOrEqual(2 * 1024 * 1024);
    expect(r.stderr).toMatch(/\[lab: \d+ more characters of output were dropped\]$/);
    // and a failure shows twelve lines at most, each cut short
    const lines = describeFailure({
      check: { name: 'big', node: 'router', wait: 'default', timeout: 30, run: 'yes' },
      verdict: { ok: false, reason: "output does not contain 'zzz'" },
      results: [r],
      attempts: 1,
      waitedMs: 10,
    } as unknown as Parameters<typeof describeFailure>[0]);
    expect(lines.join('\n').length).toBeLessThan(10_000);
    expect(lines.join('\n')).toMatch(/characters cut\]/);
  }, 30_000);
});
