// The workshop's one HTTP(S) port: pages, live updates (Server-Sent Events), actions (JSON POSTs) and
// terminal WebSockets, on node:http/https and ws. Tokens are looked up in constant time and never
// logged; a wrong token gets the same 404 as a wrong path; sockets need their page's Origin; bodies,
// connections, streams and terminals are bounded.
import { readFileSync } from 'node:fs';
import {
  createServer as createHttp,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { createServer as createHttps } from 'node:https';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import { files } from '../engine/state.js';
import { LabError } from '../errors.js';
import { attendeeSshConfig } from './gateway/index.js';
import { attendeePage, instructorPage, type PageAssets } from './pages.js';
import { type Route, route } from './routes.js';
import type { Attendee, Change } from './state.js';
import type { TerminalHub } from './terminal/index.js';
import { findByToken, tokensEqual } from './tokens.js';
import { BusyAction, type Workshop } from './workshop.js';

/** A static file of the pages, served at its path (/assets/NAME, /terminal/NAME). */
export interface Asset {
  path: string;
  file: string;
  type: string;
}

export const LIMITS = {
  /** Bytes of a request body: a message, a step name. */
  body: 16 * 1024,
  /** Open connections of the whole server (30 attendees hold 2 or 3 each). */
  connections: 512,
  /** Live streams (tabs) per token. */
  streams: 8,
  /** Terminals open at once per attendee (the instructor's views count on the instructor). */
  terminals: 8,
  /** Bytes of one WebSocket frame from a browser (keystrokes, a paste). */
  frame: 64 * 1024,
};

/** What the server needs of the terminal hub (src/serve/terminal/): a socket handed over once accepted. */
export type TerminalAttach = Pick<TerminalHub, 'attach'>;

export interface ServeOptions {
  workshop: Workshop;
  hub: TerminalAttach;
  listen: string;
  port: number;
  tls?: { cert: Buffer; key: Buffer };
  /** The gateway's port, for the pages' SSH instructions. */
  sshPort: () => number;
  /** The gateway's host public key line (known_hosts). */
  gatewayKey: () => string;
  assets: Asset[];
  /** The topology picture (SVG text). */
  topology: string;
}

export interface WorkshopServer {
  port: number;
  scheme: 'http' | 'https';
  close(): Promise<void>;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

const NOT_FOUND = () => new HttpError(404, 'not found');

const PAGE_POLICY =
  "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self'; connect-src 'self'; font-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

function baseHeaders(type: string): Record<string, string> {
  return {
    'content-type': type,
    'cache-control': 'no-store',
    'referrer-policy': 'no-referrer',
    'x-content-type-options': 'nosniff',
    'x-frame-options': 'DENY',
    'content-security-policy': type.startsWith('text/html')
      ? PAGE_POLICY
      : "default-src 'none'; style-src 'unsafe-inline'",
  };
}

function send(res: ServerResponse, status: number, type: string, body: string | Buffer, extra = {}) {
  res.writeHead(status, { ...baseHeaders(type), ...extra });
  res.end(body);
}

/** A page at its folder's URL (/a/TOKEN/): without the slash, sent there, as its links are relative. */
function sendPage(req: IncomingMessage, res: ServerResponse, base: string, html: () => string) {
  if (!req.url?.split('?')[0].endsWith('/')) return send(res, 308, 'text/plain', '', { location: base });
  return send(res, 200, 'text/html; charset=utf-8', html());
}

const sendJson = (res: ServerResponse, status: number, value: unknown) =>
  send(res, status, 'application/json; charset=utf-8', JSON.stringify(value));

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > LIMITS.body) throw new HttpError(413, `the body is over ${LIMITS.body} bytes`);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > LIMITS.body) throw new HttpError(413, `the body is over ${LIMITS.body} bytes`);
    chunks.push(chunk as Buffer);
  }
  if (!size) return {};
  try {
    const v = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    if (!v || typeof v !== 'object' || Array.isArray(v)) throw new Error('not an object');
    return v as Record<string, unknown>;
  } catch {
    throw new HttpError(400, 'the body is not a JSON object');
  }
}

/** What the browser must have sent as Origin: this server, as it reached it. */
function expectedOrigin(req: IncomingMessage, scheme: string): string | undefined {
  const host = req.headers.host;
  return host && /^[A-Za-z0-9.:[\]-]+$/.test(host) ? `${scheme}://${host}` : undefined;
}

/** The host name the browser used (for the laptop's SSH config), when it is a plain one. */
function hostOf(req: IncomingMessage, fallback: string): string {
  const host = req.headers.host ?? '';
  const m = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+)(?::\d+)?$/.exec(host);
  return m ? m[1].replace(/^\[|\]$/g, '') : fallback;
}

export async function startServer(opts: ServeOptions): Promise<WorkshopServer> {
  const { workshop, hub } = opts;
  const state = workshop.state;
  const lab = workshop.lab;
  const scheme = opts.tls ? 'https' : 'http';
  const assetBodies = new Map(opts.assets.map((a) => [a.path, { ...a, body: readFileSync(a.file) }]));
  const pageAssets: PageAssets = {
    styles: opts.assets.filter((a) => a.type.startsWith('text/css')).map((a) => a.path),
    scripts: opts.assets.filter((a) => a.type.includes('javascript')).map((a) => a.path),
  };
  // live streams: whose they are, so that an attendee's stream carries their own view only
  const streams = new Set<{ res: ServerResponse; attendee?: string; origin: string }>();
  const terminals = new Map<string, number>();

  const attendeeOf = (token: string): Attendee | undefined =>
    findByToken(
      token,
      state.attendees().filter((a) => a.status !== 'removed'),
      (a) => a.token,
    );
  const isInstructor = (token: string) => tokensEqual(token, state.instructorToken);
  const linkOf = (origin: string, a: Attendee) => `${origin}/a/${a.token}/`;

  const push = (s: { res: ServerResponse }, value: unknown) =>
    s.res.write(`data: ${JSON.stringify(value)}\n\n`);
  const unsubscribe = state.subscribe((c: Change) => {
    if (c.kind === 'attendee') {
      const a = state.attendee(c.attendee);
      if (!a) return;
      const view = workshop.view(a);
      for (const s of streams)
        if (!s.attendee) push(s, { type: 'view', view, link: linkOf(s.origin, a) });
        else if (s.attendee === a.name) push(s, { type: 'view', view });
    } else if (c.kind === 'message') for (const s of streams) push(s, { type: 'message', text: c.text });
    else if (c.kind === 'ended') for (const s of streams) push(s, { type: 'ended' });
    // events name other attendees: the instructor's alone
    else if (c.kind === 'event')
      for (const s of streams) if (!s.attendee) push(s, { type: 'event', event: c.event });
  });

  function openStream(req: IncomingMessage, res: ServerResponse, attendee?: Attendee) {
    const mine = [...streams].filter((s) => s.attendee === attendee?.name);
    if (mine.length >= LIMITS.streams)
      throw new HttpError(429, `at most ${LIMITS.streams} live pages at once`);
    res.writeHead(200, { ...baseHeaders('text/event-stream'), connection: 'keep-alive' });
    const s = { res, attendee: attendee?.name, origin: expectedOrigin(req, scheme) ?? '' };
    streams.add(s);
    const beat = setInterval(() => res.write(': beat\n\n'), 20_000);
    req.on('close', () => {
      clearInterval(beat);
      streams.delete(s);
    });
    // the state as it is now, then each change
    if (attendee) push(s, { type: 'view', view: workshop.view(attendee) });
    else {
      for (const a of state.attendees())
        push(s, { type: 'view', view: workshop.view(a), link: linkOf(s.origin, a) });
      for (const e of state.events().slice(-100)) push(s, { type: 'event', event: e });
    }
    const m = state.message();
    if (m) push(s, { type: 'message', text: m });
  }

  /** Runs an action the page waits for: its answer, or its refusal as JSON. */
  async function act(res: ServerResponse, fn: () => Promise<unknown>) {
    try {
      sendJson(res, 200, await fn());
    } catch (e) {
      const status =
        e instanceof HttpError
          ? e.status
          : e instanceof BusyAction
            ? 409
            : e instanceof LabError && e.exitCode === 2
              ? 400
              : 500;
      sendJson(res, status, { error: (e as Error).message });
    }
  }

  /** A long action (reset, add, check all, end): accepted now, its progress on the live streams. */
  function background(res: ServerResponse, what: string, fn: () => Promise<unknown>) {
    fn().catch((e: Error) => state.record({ kind: 'error', text: `${what}: ${e.message}` }));
    sendJson(res, 202, { accepted: what });
  }

  async function handleAttendee(
    req: IncomingMessage,
    res: ServerResponse,
    r: Extract<Route, { kind: 'attendee' }>,
  ) {
    const a = attendeeOf(r.token);
    if (!a) throw NOT_FOUND();
    const base = `/a/${a.token}/`;
    switch (r.what) {
      case 'page':
        return sendPage(req, res, base, () =>
          attendeePage({
            lab,
            attendee: a,
            view: workshop.view(a),
            base,
            message: state.message(),
            ssh: { host: hostOf(req, opts.listen), port: opts.sshPort() },
            assets: pageAssets,
          }),
        );
      case 'state':
        return sendJson(res, 200, { view: workshop.view(a), message: state.message() ?? null });
      case 'events':
        return openStream(req, res, a);
      case 'topology':
        return send(res, 200, 'image/svg+xml', opts.topology);
      case 'key':
      case 'known-hosts':
      case 'ssh-config': {
        // the gateway's own rendering of the laptop's config and known_hosts; the key is the instance's
        const laptop = attendeeSshConfig({
          user: a.name,
          gatewayHost: hostOf(req, opts.listen),
          gatewayPort: opts.sshPort(),
          gatewayHostKey: opts.gatewayKey(),
          targets: workshop.targets(a),
        });
        const [body, name] =
          r.what === 'key'
            ? [a.status === 'up' ? readFileSync(files(workshop.dirOf(a)).userKey, 'utf8') : '', 'id_ed25519']
            : r.what === 'known-hosts'
              ? [laptop.knownHosts, 'known_hosts']
              : [laptop.config, 'config'];
        return send(res, 200, 'text/plain; charset=utf-8', body, {
          'content-disposition': `attachment; filename="${name}"`,
        });
      }
      case 'check':
      case 'run': {
        await readJson(req);
        return act(res, () =>
          r.what === 'check' ? workshop.check(a, r.step!, a.name) : workshop.run(a, r.step!, a.name),
        );
      }
    }
    throw NOT_FOUND();
  }

  async function handleInstructor(
    req: IncomingMessage,
    res: ServerResponse,
    r: Extract<Route, { kind: 'instructor' }>,
  ) {
    if (!isInstructor(r.token)) throw NOT_FOUND();
    const base = `/i/${state.instructorToken}/`;
    const origin = expectedOrigin(req, scheme) ?? '';
    const named = () => {
      const a = state.attendee(r.attendee ?? '');
      if (!a) throw new HttpError(404, `no attendee ${r.attendee}`);
      return a;
    };
    switch (r.what) {
      case 'page':
        return sendPage(req, res, base, () =>
          instructorPage({
            lab,
            views: state.attendees().map((a) => workshop.view(a)),
            links: Object.fromEntries(state.attendees().map((a) => [a.name, linkOf(origin, a)])),
            base,
            message: state.message(),
            assets: pageAssets,
          }),
        );
      case 'state':
        return sendJson(res, 200, {
          attendees: state.attendees().map((a) => ({ ...workshop.view(a), url: linkOf(origin, a) })),
          message: state.message() ?? null,
          events: state.events(),
        });
      case 'events':
        return openStream(req, res);
    }
    const body = await readJson(req);
    switch (r.what) {
      case 'check': {
        const a = named();
        return background(res, `check ${a.name}`, () => checkDone(a));
      }
      case 'check-all':
        return background(res, 'check all', () =>
          Promise.allSettled(
            state
              .attendees()
              .filter((a) => a.status === 'up')
              .map(checkDone),
          ),
        );
      case 'reset': {
        const a = named();
        const to = typeof body.to === 'string' || typeof body.to === 'number' ? String(body.to) : '';
        if (!to) throw new HttpError(400, 'say the step to reset to: { "to": STEP } (0: before the first)');
        workshop.stepOrZero(to);
        return background(res, `reset ${a.name}`, () => workshop.reset(a, to));
      }
      case 'add':
        return background(res, 'add an attendee', () =>
          workshop.add(typeof body.to === 'string' ? body.to : undefined),
        );
      case 'message': {
        const text = typeof body.text === 'string' ? body.text.slice(0, 500) : '';
        state.setMessage(text);
        state.record({ kind: 'message', text: `message: ${text}` });
        return sendJson(res, 200, { ok: true });
      }
      case 'end':
        return background(res, 'end the workshop', () => workshop.end());
    }
    throw NOT_FOUND();
  }

  /** The instructor's check of one attendee: the checks of each step done (of the next, before any). */
  async function checkDone(a: Attendee) {
    const view = workshop.view(a);
    const done = view.steps.filter((s) => s.state === 'done').map((s) => s.name);
    const steps = done.length ? done : view.steps.filter((s) => s.state === 'next').map((s) => s.name);
    for (const s of steps) await workshop.check(a, s, 'instructor');
  }

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const r = route(req.method ?? '', req.url ?? '');
    try {
      if (!r) throw NOT_FOUND();
      // a page's POST comes from its own origin, as JSON (a cross-site form can send neither)
      if (req.method === 'POST') {
        const origin = req.headers.origin;
        if (origin !== undefined && origin !== expectedOrigin(req, scheme))
          throw new HttpError(403, 'cross-origin request refused');
        if (!String(req.headers['content-type'] ?? '').startsWith('application/json'))
          throw new HttpError(415, 'send JSON (content-type: application/json)');
      }
      if (r.kind === 'asset') {
        const a = assetBodies.get(r.path);
        if (!a) throw NOT_FOUND();
        return send(res, 200, a.type, a.body, { 'cache-control': 'max-age=300' });
      }
      if (r.kind === 'attendee') return await handleAttendee(req, res, r);
      return await handleInstructor(req, res, r);
    } catch (e) {
      if (res.headersSent) return void res.end();
      if (e instanceof HttpError) return send(res, e.status, 'text/plain; charset=utf-8', `${e.message}\n`);
      const status = e instanceof LabError && e.exitCode === 2 ? 400 : 500;
      return sendJson(res, status, { error: (e as Error).message });
    }
  }

  const wss = new WebSocketServer({ noServer: true, maxPayload: LIMITS.frame });
  const refuse = (socket: Duplex, status: number, text: string) => {
    socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
  };
  function upgrade(req: IncomingMessage, socket: Duplex, head: Buffer) {
    const r = route(req.method ?? '', req.url ?? '', true);
    if (!r || r.kind === 'asset') return refuse(socket, 404, 'Not Found');
    if (!req.headers.origin || req.headers.origin !== expectedOrigin(req, scheme))
      return refuse(socket, 403, 'Forbidden');
    let who: Attendee | undefined;
    let readOnly: boolean;
    let node: string;
    let counter: string;
    if (r.kind === 'attendee') {
      who = attendeeOf(r.token);
      node = r.node!;
      readOnly = false;
      counter = who?.name ?? '';
    } else {
      who = isInstructor(r.token) ? state.attendee(r.attendee!) : undefined;
      node = r.node!;
      readOnly = true;
      counter = 'instructor';
    }
    if (!who) return refuse(socket, 404, 'Not Found');
    const target = workshop.targets(who).find((t) => t.node === node);
    const link = workshop.linkOf(who);
    if (!target || !link) return refuse(socket, 404, 'Not Found');
    if ((terminals.get(counter) ?? 0) >= LIMITS.terminals) return refuse(socket, 429, 'Too Many Requests');
    const attendee = who;
    wss.handleUpgrade(req, socket, head, (ws) => {
      terminals.set(counter, (terminals.get(counter) ?? 0) + 1);
      ws.once('close', () => terminals.set(counter, (terminals.get(counter) ?? 1) - 1));
      state.record({
        attendee: attendee.name,
        kind: 'terminal',
        text: `${readOnly ? 'instructor views' : 'terminal on'} ${node}`,
      });
      hub.attach(ws, {
        key: `${attendee.name}/${node}`,
        target,
        readOnly,
        link,
        down: async () => (await workshop.down(attendee, [node]))[0],
      });
    });
  }

  const server: Server = opts.tls
    ? createHttps({ cert: opts.tls.cert, key: opts.tls.key }, handle)
    : createHttp(handle);
  server.maxConnections = LIMITS.connections;
  server.headersTimeout = 10_000;
  server.requestTimeout = 0; // Check and Run answer when their checks have (a step may wait minutes)
  server.on('upgrade', upgrade);
  server.on('clientError', (_e, socket) => socket.destroy());
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.listen, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : opts.port;
  return {
    port,
    scheme,
    async close() {
      unsubscribe();
      for (const s of streams) s.res.end();
      for (const ws of wss.clients) ws.terminate();
      wss.close();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
