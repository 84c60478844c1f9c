// The gateway passes a node command's exit status back, however fast the node sends it, and a session
// that ends without one is said on stderr (never a bare 255). A fake node (ssh2's Server on loopback)
// answers at once: output, exit status and close in the same tick as the channel's success, as a
// loaded host reads them in one go. Before the fix the status was missed and the attendee saw 255.
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ssh2 from 'ssh2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Gateway, publicKeyOf, startGateway } from '../../src/serve/gateway/index.js';
import { generateKeyPair } from '../../src/transport/keys.js';

const attendeeKey = generateKeyPair('attendee');
const instanceKey = generateKeyPair('instance');
const nodeHostKey = generateKeyPair('node host');

describe('gateway: the node command exit status', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gw-exit-'));
  let node: ssh2.Server;
  let gw: Gateway;

  beforeAll(async () => {
    node = new ssh2.Server({ hostKeys: [nodeHostKey.privateKey] }, (conn) => {
      conn.on('error', () => undefined);
      conn.on('authentication', (ctx) => ctx.accept());
      conn.on('session', (accept) => {
        accept().on('exec', (ok, _no, info) => {
          // the channel's success, output, status and close leave in one write: read in one go
          const sock = (conn as unknown as { _sock: import('node:net').Socket })._sock;
          sock.cork();
          process.nextTick(() => sock.uncork());
          const ch = ok();
          ch.write(`ran ${info.command}\n`);
          if (info.command !== 'vanish') ch.exit(Number(info.command));
          ch.end();
        });
      });
    });
    await new Promise<void>((r) => node.listen(0, '127.0.0.1', r));
    const port = (node.address() as AddressInfo).port;
    gw = await startGateway({
      listen: '127.0.0.1',
      port: 0,
      hostKeyPath: join(dir, 'host_ed25519'),
      attendees: () => [
        {
          user: 'attendee-1',
          authorizedKey: publicKeyOf(attendeeKey.privateKey),
          targets: () => [
            {
              node: 'router',
              host: '127.0.0.1',
              port,
              privateKey: instanceKey.privateKey,
              hostKey: publicKeyOf(nodeHostKey.privateKey),
            },
          ],
          link: 'lo', // loopback routes out of lo: the route guard passes
        },
      ],
    });
  });

  afterAll(async () => {
    await gw?.close();
    node?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Runs `ssh attendee-1@gateway COMMAND` with ssh2's client: its exit code, stdout and stderr. */
  const run = (command: string) =>
    new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
      const c = new ssh2.Client();
      c.on('error', reject);
      c.on('ready', () =>
        c.exec(command, (err, ch) => {
          if (err) return reject(err);
          let stdout = '';
          let stderr = '';
          let code: number | null = null;
          ch.on('data', (d: Buffer) => {
            stdout += d;
          });
          ch.stderr.on('data', (d: Buffer) => {
            stderr += d;
          });
          ch.on('exit', (n: number | null) => {
            code = n;
          });
          ch.on('close', () => {
            c.end();
            resolve({ code, stdout, stderr });
          });
        }),
      );
      c.connect({
        host: '127.0.0.1',
        port: gw.port,
        username: 'attendee-1',
        privateKey: attendeeKey.privateKey,
      });
    });

  it('passes back a status the node sends with its first reply, every time', async () => {
    for (const status of [0, 3, 7, 0, 1, 0]) {
      const r = await run(`router ${status}`);
      expect(r, JSON.stringify(r)).toEqual({ code: status, stdout: `ran ${status}\n`, stderr: '' });
    }
  });

  it('says why on stderr when the node closes the session without a status', async () => {
    const r = await run('router vanish');
    expect(r.code).toBe(255);
    expect(r.stdout).toBe('ran vanish\n');
    expect(r.stderr).toMatch(
      /^lab: the session on router ended: the node closed the session without an exit status/,
    );
  });
});
