// The workshop server without a lab up: tokens (random, constant-time, found without an early exit),
// escaping of every lab and node string in the pages, routing, the flags lab serve refuses, and the
// server itself on loopback with two attendees whose instances are not up: a token reaches its own
// attendee's data only, the instructor's pages refuse attendees' tokens, sockets need their page's
// Origin, bodies are bounded.
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { Lab } from '../../src/core/lab.js';
import { escapeHtml } from '../../src/html-escape.js';
import { openLab } from '../../src/model/open.js';
import { isLoopback, parsePort } from '../../src/serve/listen.js';
import { attendeePage, instructorPage } from '../../src/serve/pages.js';
import { route } from '../../src/serve/routes.js';
import { startServer, type WorkshopServer } from '../../src/serve/server.js';
import { LocalWorkshopState } from '../../src/serve/state.js';
import { findByToken, newToken, TOKEN_SHAPE, tokensEqual } from '../../src/serve/tokens.js';
import { Workshop } from '../../src/serve/workshop.js';
import { labFile } from '../helpers/labs.js';

const dir = mkdtempSync(join(tmpdir(), 'lab-serve-unit-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('tokens', () => {
  it('are 128 random bits in hex, never twice the same', () => {
    const many = new Set(Array.from({ length: 1000 }, newToken));
    expect(many.size).toBe(1000);
    for (const t of many) expect(t).toMatch(TOKEN_SHAPE);
  });

  it('compare equal only when equal, whatever the length', () => {
    const t = newToken();
    expect(tokensEqual(t, t)).toBe(true);
    expect(tokensEqual(`${t.slice(0, 31)}0`, t) && !t.endsWith('0')).toBe(false);
    expect(tokensEqual(t.slice(0, 16), t)).toBe(false);
    expect(tokensEqual('', t)).toBe(false);
    expect(tokensEqual(`${t}0`, t)).toBe(false);
  });

  it('finds its holder among many, and nobody for a stranger', () => {
    const holders = Array.from({ length: 30 }, (_, i) => ({ name: `a-${i}`, token: newToken() }));
    expect(findByToken(holders[17].token, holders, (h) => h.token)?.name).toBe('a-17');
    expect(findByToken(newToken(), holders, (h) => h.token)).toBeUndefined();
  });
});

describe('routes', () => {
  const t = newToken();
  it.each([
    ['GET', `/a/${t}/`, { kind: 'attendee', what: 'page' }],
    ['GET', `/a/${t}`, { kind: 'attendee', what: 'page' }],
    ['GET', `/a/${t}/events`, { kind: 'attendee', what: 'events' }],
    ['POST', `/a/${t}/check/router`, { kind: 'attendee', what: 'check', step: 'router' }],
    ['POST', `/a/${t}/run/router`, { kind: 'attendee', what: 'run', step: 'router' }],
    ['GET', `/a/${t}/id_ed25519`, { kind: 'attendee', what: 'key' }],
    ['GET', `/i/${t}/`, { kind: 'instructor', what: 'page' }],
    ['POST', `/i/${t}/check`, { kind: 'instructor', what: 'check-all' }],
    ['POST', `/i/${t}/reset/attendee-2`, { kind: 'instructor', what: 'reset', attendee: 'attendee-2' }],
    ['GET', '/assets/workshop.js', { kind: 'asset', path: '/assets/workshop.js' }],
    ['GET', '/terminal/xterm.js', { kind: 'asset', path: '/terminal/xterm.js' }],
  ])('%s %s', (method, url, want) => {
    expect(route(method, url)).toMatchObject(want);
  });

  it.each([
    ['GET', '/'],
    ['GET', '/a/'],
    ['GET', '/a/NOTATOKEN/'],
    ['GET', `/a/${t.toUpperCase()}/`],
    ['GET', `/a/${t}0/`],
    ['GET', `/a/${t}/check/router`],
    ['POST', `/a/${t}/`],
    ['DELETE', `/a/${t}/`],
    ['GET', `/a/${t}/../../i/${t}/`],
    ['GET', `/a/${t}/%2e%2e/`],
    ['GET', '/assets/../package.json'],
    ['GET', '/assets/%2e%2e%2fpackage.json'],
    ['POST', `/i/${t}/reset/a/b`],
    ['GET', `/x/${t}/`],
  ])('refuses %s %s', (method, url) => {
    expect(route(method, url)).toBeUndefined();
  });

  it('upgrades only terminal and view sockets', () => {
    expect(route('GET', `/a/${t}/terminal/router`, true)).toMatchObject({ what: 'terminal', node: 'router' });
    expect(route('GET', `/i/${t}/view/attendee-1/router`, true)).toMatchObject({
      what: 'view',
      attendee: 'attendee-1',
      node: 'router',
    });
    expect(route('GET', `/a/${t}/`, true)).toBeUndefined();
    expect(route('GET', `/i/${t}/view/attendee-1`, true)).toBeUndefined();
  });
});

describe('flags', () => {
  it('plain HTTP is for loopback only', () => {
    for (const a of ['127.0.0.1', '127.1.2.3', '::1', 'localhost']) expect(isLoopback(a), a).toBe(true);
    for (const a of ['0.0.0.0', '::', '192.168.1.2', '10.0.0.1', 'example.org'])
      expect(isLoopback(a), a).toBe(false);
  });
  it('ports are 0 to 65535', () => {
    expect(parsePort('--port', undefined, 8080)).toBe(8080);
    expect(parsePort('--port', '0', 8080)).toBe(0);
    for (const bad of ['65536', '-1', 'http', '80x', '1e3'])
      expect(() => parsePort('--port', bad, 1)).toThrow(/0 to 65535/);
  });
});

const workshopOf = (lab: Lab, state: LocalWorkshopState) =>
  new Workshop({
    file: '',
    lab,
    sets: [],
    allow: [],
    prefix: 'attendee',
    parallel: 1,
    state,
    signal: new AbortController().signal,
  });

const HOSTILE = '<script>alert(1)</script><img src=x onerror=alert(2)>"\'&';

describe('pages', () => {
  const { lab } = openLab(labFile('bgp-metallb'));
  const hostileLab = {
    ...lab,
    description: HOSTILE,
    steps: lab.steps.map((s) => ({ ...s, description: HOSTILE })),
  };
  const state = new LocalWorkshopState(join(dir, 'pages.json'));
  const a = state.put({
    name: 'attendee-1',
    placement: { kind: 'local', dir: join(dir, 'none') },
    status: 'up',
  });
  const w = workshopOf(hostileLab, state);
  const view = w.view(a);
  view.last.router = {
    step: 'router',
    action: 'check',
    ok: false,
    at: '',
    lines: [`✖ x on router: ${HOSTILE}`],
  };

  it('the attendee page escapes the lab, the node output and the message', () => {
    const html = attendeePage({
      lab: hostileLab,
      attendee: a,
      view,
      base: `/a/${a.token}/`,
      message: HOSTILE,
      ssh: { host: 'example.org', port: 2222 },
      assets: { scripts: ['/assets/workshop.js'], styles: [] },
    });
    expect(html).not.toContain('<script>alert');
    expect(html).not.toContain('<img src=x');
    expect(html).toContain(escapeHtml(HOSTILE));
    // the only scripts are the page's own files
    expect([...html.matchAll(/<script[^>]*>/g)].map((m) => m[0])).toEqual([
      '<script src="/assets/workshop.js">',
    ]);
  });

  it('the dashboard escapes them too, and lists no token but the links it is given', () => {
    const html = instructorPage({
      lab: hostileLab,
      views: [view],
      links: { 'attendee-1': 'LINK' },
      base: '/i/x/',
      message: HOSTILE,
      assets: { scripts: [], styles: [] },
    });
    expect(html).not.toContain('<script>alert');
    expect(html).not.toContain(a.token);
  });

  it('escapeHtml leaves nothing that opens a tag or ends an attribute', () => {
    expect(escapeHtml(HOSTILE)).not.toMatch(/[<>"']/);
  });
});

describe('the server, with two attendees not up', () => {
  const { lab } = openLab(labFile('bgp-metallb'));
  const stateFile = join(dir, 'server.json');
  const state = new LocalWorkshopState(stateFile);
  const [one, two] = ['attendee-1', 'attendee-2'].map((name) =>
    state.put({ name, placement: { kind: 'local', dir: join(dir, name) }, status: 'up' }),
  );
  const w = workshopOf(lab, state);
  const attached: string[] = [];
  let server: WorkshopServer;
  let origin: string;
  beforeAll(async () => {
    server = await startServer({
      workshop: w,
      hub: { attach: (_ws, s) => attached.push(s.key), close: async () => undefined },
      listen: '127.0.0.1',
      port: 0,
      sshPort: () => 2222,
      gatewayKey: () => '',
      assets: [],
      topology: '<svg/>',
    });
    origin = `http://127.0.0.1:${server.port}`;
  });
  afterAll(() => server.close());

  it('keeps its tokens in a 0600 file: a restart keeps every link', () => {
    expect(statSync(stateFile).mode & 0o777).toBe(0o600);
    const again = new LocalWorkshopState(stateFile);
    expect(again.instructorToken).toBe(state.instructorToken);
    expect(again.put({ name: 'attendee-2', placement: { kind: 'local', dir }, status: 'up' }).token).toBe(
      two.token,
    );
  });

  it("serves each attendee their own page and state, and nobody's for a wrong token", async () => {
    const page = await fetch(`${origin}/a/${two.token}/`);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('<strong>attendee-2</strong>');
    expect(html).not.toContain('attendee-1');
    expect(html).not.toContain(one.token);
    expect(page.headers.get('content-security-policy')).toMatch(/script-src 'self'/);
    const st = (await (await fetch(`${origin}/a/${two.token}/state`)).json()) as { view: { name: string } };
    expect(st.view.name).toBe('attendee-2');
    for (const url of [`/a/${newToken()}/`, `/i/${one.token}/`, `/i/${two.token}/state`, `/i/${newToken()}/`])
      expect((await fetch(origin + url)).status, url).toBe(404);
    expect((await fetch(`${origin}/i/${state.instructorToken}/`)).status).toBe(200);
  });

  it("an attendee's live stream carries their own view only", async () => {
    const ctl = new AbortController();
    const r = await fetch(`${origin}/a/${two.token}/events`, { signal: ctl.signal });
    const reader = r.body!.getReader();
    state.put({ ...one, status: 'up' }); // a change of attendee 1
    state.record({ attendee: 'attendee-1', kind: 'check', text: 'attendee-1 secret event' });
    state.put({ ...two, status: 'up' }); // then one of attendee 2: the stream has passed attendee 1's by then
    let text = '';
    while (!text.includes('"name":"attendee-2"') || text.split('data:').length < 3) {
      const { value } = await reader.read();
      text += Buffer.from(value!).toString();
    }
    ctl.abort();
    expect(text).not.toContain('attendee-1');
  });

  it('refuses cross-origin and non-JSON posts, and bodies over the bound', async () => {
    const post = (body: string, headers: Record<string, string>) =>
      fetch(`${origin}/i/${state.instructorToken}/message`, { method: 'POST', body, headers });
    expect(
      (await post('{"text":"hi"}', { 'content-type': 'application/json', origin: 'http://evil.example' }))
        .status,
    ).toBe(403);
    expect((await post('text=hi', { 'content-type': 'application/x-www-form-urlencoded' })).status).toBe(415);
    expect(
      (await post(JSON.stringify({ text: 'x'.repeat(20_000) }), { 'content-type': 'application/json' }))
        .status,
    ).toBe(413);
    expect((await post('{"text":"hi"}', { 'content-type': 'application/json', origin })).status).toBe(200);
    expect(state.message()).toBe('hi');
  });

  const socket = (path: string, o?: string) =>
    new Promise<number>((resolve) => {
      const ws = new WebSocket(`ws://127.0.0.1:${server.port}${path}`, o ? { origin: o } : {});
      ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      ws.on('open', () => {
        ws.close();
        resolve(101);
      });
      ws.on('error', () => resolve(-1));
    });

  it('sockets need their page’s Origin and a token that owns the node', async () => {
    // attendees not up have no nodes: every terminal is refused, but Origin is judged first
    expect(await socket(`/a/${one.token}/terminal/router`, 'http://evil.example')).toBe(403);
    expect(await socket(`/a/${one.token}/terminal/router`)).toBe(403);
    expect(await socket(`/a/${one.token}/terminal/router`, origin)).toBe(404);
    expect(await socket(`/i/${two.token}/view/attendee-1/router`, origin)).toBe(404);
    expect(attached).toEqual([]);
  });
});

describe('the server over TLS', () => {
  it('serves HTTPS with the certificate given, and its sockets want an https Origin', async () => {
    const { execFileSync } = await import('node:child_process');
    const { request } = await import('node:https');
    const { readFileSync } = await import('node:fs');
    const [cert, key] = [join(dir, 'cert.pem'), join(dir, 'key.pem')];
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:P-256',
        '-nodes',
        '-days',
        '1',
        '-subj',
        '/CN=localhost',
        '-keyout',
        key,
        '-out',
        cert,
      ],
      { stdio: 'ignore' },
    );
    const { lab } = openLab(labFile('bgp-metallb'));
    const state = new LocalWorkshopState(join(dir, 'tls.json'));
    const server = await startServer({
      workshop: workshopOf(lab, state),
      hub: { attach: () => undefined },
      listen: '127.0.0.1',
      port: 0,
      tls: { cert: readFileSync(cert), key: readFileSync(key) },
      sshPort: () => 2222,
      gatewayKey: () => '',
      assets: [],
      topology: '<svg/>',
    });
    try {
      expect(server.scheme).toBe('https');
      const status = await new Promise<number>((resolve, reject) =>
        request(
          `https://127.0.0.1:${server.port}/i/${state.instructorToken}/`,
          { rejectUnauthorized: false },
          (res) => {
            res.resume();
            resolve(res.statusCode ?? 0);
          },
        )
          .on('error', reject)
          .end(),
      );
      expect(status).toBe(200);
      const ws = new WebSocket(`wss://127.0.0.1:${server.port}/i/${state.instructorToken}/view/x/router`, {
        origin: `http://127.0.0.1:${server.port}`,
        rejectUnauthorized: false,
      });
      const code = await new Promise<number>((resolve) =>
        ws.on('unexpected-response', (_q, res) => resolve(res.statusCode ?? 0)),
      );
      expect(code).toBe(403);
    } finally {
      await server.close();
    }
  });
});
