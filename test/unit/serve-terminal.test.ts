// The browser terminal's bridge, against a fake node (ssh2's Server in this process) and real
// WebSockets: keystrokes and resizes reach the node's pty, a read-only viewer shares the session and
// none of its frames reach the node, output waits for a slow browser instead of piling up, a slow
// viewer is dropped, and the session ends when either side closes.

import { existsSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import ssh2 from 'ssh2';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket, WebSocketServer } from 'ws';
import { parseFrame } from '../../src/serve/terminal/frames.js';
import { createTerminalHub, TERMINAL_ASSETS, type TerminalHub } from '../../src/serve/terminal/index.js';
import { LIMITS } from '../../src/serve/terminal/session.js';
import { generateKeyPair } from '../../src/transport/keys.js';
import type { SshTarget } from '../../src/transport/ssh.js';

const hostKey = generateKeyPair('fake-node');
const userKey = generateKeyPair('attendee');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function until(what: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!what()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await sleep(10);
  }
}

/** A node: one pty shell per session that echoes what it gets and records it; `flood` writes without end. */
class FakeNode {
  server!: ssh2.Server;
  port = 0;
  shells = 0;
  input = '';
  ptys: { cols: number; rows: number; term: string }[] = [];
  windows: { cols: number; rows: number }[] = [];
  channels: ssh2.ServerChannel[] = [];
  closedChannels = 0;
  written = 0;
  lastWrite = 0;

  async start(): Promise<void> {
    const allowed = ssh2.utils.parseKey(userKey.publicKey) as ssh2.ParsedKey;
    this.server = new ssh2.Server({ hostKeys: [hostKey.privateKey] }, (client) => {
      client.on('error', () => undefined);
      client.on('authentication', (ctx) => {
        if (ctx.method !== 'publickey' || !ctx.key.data.equals(allowed.getPublicSSH())) return ctx.reject();
        if (ctx.signature && allowed.verify(ctx.blob!, ctx.signature, ctx.hashAlgo) !== true)
          return ctx.reject();
        ctx.accept();
      });
      client.on('ready', () =>
        client.on('session', (accept) => {
          const session = accept();
          session.on('pty', (ok, _no, info) => {
            this.ptys.push({ cols: info.cols, rows: info.rows, term: info.term });
            ok?.();
          });
          session.on('window-change', (ok, _no, info) => {
            this.windows.push({ cols: info.cols, rows: info.rows });
            ok?.();
          });
          session.on('shell', (ok) => {
            const ch = ok();
            this.shells++;
            this.channels.push(ch);
            ch.on('close', () => this.closedChannels++);
            ch.write('$ ');
            ch.on('data', (d: Buffer) => {
              this.input += d.toString();
              if (d.toString().includes('exit\r')) {
                ch.exit(0);
                ch.end();
              } else ch.write(d);
            });
          });
        }),
      );
    });
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    this.port = (this.server.address() as AddressInfo).port;
  }

  /** Writes as fast as the channel takes it (its own backpressure), until stopped. */
  flood(ch: ssh2.ServerChannel): () => void {
    let on = true;
    const chunk = Buffer.alloc(64 * 1024, 'x');
    const pump = () => {
      while (on) {
        this.written += chunk.length;
        this.lastWrite = Date.now();
        if (!ch.write(chunk)) return ch.once('drain', pump);
      }
    };
    pump();
    return () => {
      on = false;
    };
  }

  target(port = this.port): SshTarget {
    return {
      node: 'router',
      host: '127.0.0.1',
      port,
      privateKey: userKey.privateKey,
      hostKey: hostKey.publicKey,
    };
  }
}

describe('browser terminal hub', () => {
  const node = new FakeNode();
  let wss: WebSocketServer;
  let hub: TerminalHub;
  const serverSockets: WebSocket[] = [];
  let sessionOf: (req: URL) => { key: string; target: SshTarget; readOnly: boolean; link: string };

  beforeAll(async () => {
    await node.start();
    wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
    await new Promise((r) => wss.once('listening', r));
    wss.on('connection', (ws, req) => {
      serverSockets.push(ws);
      hub.attach(ws, sessionOf(new URL(req.url!, 'http://x')));
    });
    sessionOf = (u) => ({
      key: u.searchParams.get('key') ?? 'attendee-1/router',
      target: node.target(Number(u.searchParams.get('port') ?? node.port)),
      readOnly: u.searchParams.has('view'),
      link: u.searchParams.get('link') ?? 'lo', // the fake node is on loopback: routed out of lo
    });
  });
  afterEach(async () => {
    await hub?.close();
  });
  afterAll(async () => {
    wss.close();
    node.server.close();
  });

  type Client = {
    ws: WebSocket;
    out: () => string;
    bytes: () => number;
    closed: Promise<{ code: number; reason: string }>;
  };
  const connect = (query = ''): Promise<Client> =>
    new Promise((resolve, reject) => {
      const ws = new WebSocket(`ws://127.0.0.1:${(wss.address() as AddressInfo).port}/?${query}`);
      let out = '';
      let bytes = 0;
      ws.on('message', (d: Buffer) => {
        bytes += d.length;
        if (out.length < 100_000) out += d.toString();
      });
      const closed = new Promise<{ code: number; reason: string }>((r) =>
        ws.on('close', (code, reason) => r({ code, reason: reason.toString() })),
      );
      ws.once('open', () => resolve({ ws, out: () => out, bytes: () => bytes, closed }));
      ws.once('error', reject);
    });

  it('brings keystrokes to the node and its output back; a resize reaches its pty', async () => {
    hub = createTerminalHub();
    const shells = node.shells;
    const a = await connect();
    a.ws.send(JSON.stringify({ resize: { cols: 132, rows: 40 } }));
    await until(() => node.shells === shells + 1 && a.out().includes('$ '));
    a.ws.send(Buffer.from('echo hi\r'));
    await until(() => a.out().includes('echo hi'));
    expect(node.input).toContain('echo hi\r');
    a.ws.send(JSON.stringify({ resize: { cols: 100, rows: 30 } }));
    await until(() => node.windows.some((w) => w.cols === 100 && w.rows === 30));
    const size = node.ptys.at(-1)!;
    // the first resize came before the shell was open (its pty) or right after (a window change)
    expect(
      (size.cols === 132 && size.rows === 40) || node.windows.some((w) => w.cols === 132 && w.rows === 40),
    ).toBe(true);
    expect(size.term).toBe('xterm-256color');
    // a text frame that is not a resize is typed text
    a.ws.send('{not json');
    await until(() => node.input.includes('{not json'));
    expect(hub.sessions()).toEqual(['attendee-1/router']);
  });

  it('shares the session with a read-only viewer, who sees the output and whose frames never reach the node', async () => {
    hub = createTerminalHub();
    const shells = node.shells;
    const a = await connect();
    await until(() => a.out().includes('$ '));
    a.ws.send(Buffer.from('before\r'));
    await until(() => a.out().includes('before'));
    const viewer = await connect('view');
    // a late viewer gets the recent past first, from the same shell (no second one opened)
    await until(() => viewer.out().includes('before'));
    expect(node.shells).toBe(shells + 1);
    const windows = node.windows.length;
    viewer.ws.send(Buffer.from('rm -rf /\r'));
    viewer.ws.send('evil text\r');
    viewer.ws.send(JSON.stringify({ resize: { cols: 10, rows: 5 } }));
    a.ws.send(Buffer.from('after\r'));
    await until(() => viewer.out().includes('after') && a.out().includes('after'));
    await sleep(100);
    expect(node.input).not.toMatch(/rm -rf|evil/);
    expect(node.windows.length).toBe(windows);
    // the attendee leaves: the shell ends and the viewer is told
    const closedBefore = node.closedChannels;
    a.ws.close();
    expect((await viewer.closed).code).toBe(1000);
    await until(() => node.closedChannels === closedBefore + 1);
    expect(hub.sessions()).toEqual([]);
  });

  it('a viewer before the attendee waits, then sees their terminal', async () => {
    hub = createTerminalHub();
    const viewer = await connect('view');
    await until(() => viewer.out().includes('waiting'));
    expect(hub.sessions()).toEqual(['attendee-1/router']);
    const a = await connect();
    a.ws.send(Buffer.from('hello\r'));
    await until(() => viewer.out().includes('hello'));
  });

  it('closes the socket when the shell ends on the node', async () => {
    hub = createTerminalHub();
    const a = await connect();
    await until(() => a.out().includes('$ '));
    a.ws.send(Buffer.from('exit\r'));
    expect(await a.closed).toEqual({ code: 1000, reason: 'the shell ended' });
    expect(hub.sessions()).toEqual([]);
  });

  it('says so and closes when the node cannot be reached, or its address is not routed out of the link', async () => {
    hub = createTerminalHub();
    const unreachable = await connect('port=1&key=a/x');
    expect((await unreachable.closed).code).toBe(1011);
    expect(unreachable.out()).toMatch(/cannot open router/);
    const guarded = await connect('link=nosuchlink0&key=a/y');
    expect((await guarded.closed).code).toBe(1011);
    expect(guarded.out()).toMatch(
      /cannot open router: refusing to connect: 127\.0\.0\.1 would leave through lo/,
    );
  });

  it('holds the node when the browser reads slowly: output never piles up in the server', async () => {
    hub = createTerminalHub();
    const a = await connect();
    await until(() => a.out().includes('$ '));
    const ch = node.channels.at(-1)!;
    (a.ws as unknown as { _socket: { pause(): void; resume(): void } })._socket.pause(); // a browser that stops reading
    const server = serverSockets.at(-1)!;
    const stop = node.flood(ch);
    try {
      // the producer stalls (SSH's window is full) while the server holds a bounded amount
      await until(() => Date.now() - node.lastWrite > 700, 20_000);
      const stalledAt = node.written;
      await sleep(300);
      expect(node.written).toBe(stalledAt);
      expect(server.bufferedAmount).toBeLessThan(LIMITS.pauseAbove + 2 * 64 * 1024);
      // reading again lets it go on
      (a.ws as unknown as { _socket: { resume(): void } })._socket.resume();
      await until(() => node.written > stalledAt + 4 * 1024 * 1024, 20_000);
      expect(a.bytes()).toBeGreaterThan(stalledAt);
    } finally {
      stop();
    }
  });

  it("drops a viewer that falls behind, and the attendee's terminal goes on", async () => {
    hub = createTerminalHub();
    const a = await connect();
    await until(() => a.out().includes('$ '));
    const viewer = await connect('view');
    const viewerOnServer = serverSockets.at(-1)!;
    (viewer.ws as unknown as { _socket: { pause(): void } })._socket.pause();
    const stop = node.flood(node.channels.at(-1)!);
    try {
      await until(() => viewerOnServer.readyState !== WebSocket.OPEN, 20_000);
      const got = a.bytes();
      await until(() => a.bytes() > got + 4 * 1024 * 1024, 20_000);
    } finally {
      stop();
    }
    expect(viewerOnServer.bufferedAmount).toBeLessThan(LIMITS.viewerMax + 2 * 64 * 1024);
    expect(hub.sessions()).toEqual(['attendee-1/router']);
  });

  it('close() ends every session', async () => {
    hub = createTerminalHub();
    const a = await connect('key=a/1');
    const b = await connect('key=b/1');
    await until(() => hub.sessions().length === 2 && a.out().includes('$ ') && b.out().includes('$ '));
    await hub.close();
    expect((await a.closed).code).toBe(1001);
    expect((await b.closed).code).toBe(1001);
    const late = await connect('key=c/1');
    expect((await late.closed).code).toBe(1001);
  });
});

describe('browser terminal frames and assets', () => {
  it('reads a resize from a text frame only, bounded; everything else is keystrokes', () => {
    expect(parseFrame(Buffer.from('{"resize":{"cols":80,"rows":24}}'), false)).toEqual({
      resize: { cols: 80, rows: 24 },
    });
    expect(parseFrame(Buffer.from('{"resize":{"cols":99999,"rows":99999}}'), false)).toEqual({
      resize: { cols: 1000, rows: 500 },
    });
    for (const [text, binary] of [
      ['{"resize":{"cols":80,"rows":24}}', true],
      ['{"resize":{"cols":0,"rows":24}}', false],
      ['{"resize":{"cols":"80","rows":24}}', false],
      ['{', false],
      ['ls\r', false],
    ] as const)
      expect(parseFrame(Buffer.from(text), binary), text).toEqual({ input: Buffer.from(text) });
  });

  it('serves files that exist: xterm.js, its fit add-on and css, and the page script', () => {
    expect(TERMINAL_ASSETS.map((a) => a.path)).toEqual([
      '/terminal/xterm.js',
      '/terminal/xterm.css',
      '/terminal/addon-fit.js',
      '/terminal/terminal.js',
    ]);
    for (const a of TERMINAL_ASSETS) expect(existsSync(a.file), a.file).toBe(true);
  });
});
