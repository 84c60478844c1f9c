// The workshop's SSH gateway (ssh2's Server): an attendee logs in with their key as `attendee-N` and
// reaches their own nodes only, in two ways:
//   ssh -J attendee-N@HOST:Q root@router   direct-tcpip to one of their node NAMES, port 22 only; the
//                                           laptop then logs into the node's sshd itself (their
//                                           instance's key, the node's pinned host key: client-config.ts)
//   ssh -p Q attendee-N@HOST [NODE [CMD]]   a menu of their nodes on the pty, or NODE named: a root shell
//                                           (or CMD) on it, opened by the gateway with the instance's key
// Nothing else: no shell on this host, no port or socket forwarding, no X11 or agent, no password or
// keyboard-interactive. Every node address passes the route guard (the instance's own link) first.

import type { AddressInfo } from 'node:net';
import { connect as tcpConnect } from 'node:net';
import type { Connection, PseudoTtyInfo, ServerChannel } from 'ssh2';
import ssh2 from 'ssh2';
import { printableLine } from '../../printable.js';
import type { SshTarget } from '../../transport/ssh.js';
import { judgeKey } from './auth.js';
import { bridge } from './bridge.js';
import { loadOrCreateHostKey } from './host-key.js';
import { pickNode } from './menu.js';
import { guardNode, type NodeChannel, openNodeChannel } from './node-shell.js';

export { publicKeyOf } from './auth.js';
export { type AttendeeSshConfig, attendeeSshConfig } from './client-config.js';

export interface GatewayAttendee {
  user: string; // SSH login name, e.g. "attendee-3"
  /** OpenSSH public key line the attendee logs in with: their instance's key (publicKeyOf(its user key)). */
  authorizedKey: string;
  targets(): SshTarget[]; // their nodes now (from src/transport/ssh.ts), read fresh per login
  /** The instance's management link (its InstanceRecord.link): every node address must route out of it. */
  link: string;
  /** Why NODE cannot be reached, read from the host (its instance or machine gone, its sshd not
   * running), said to the attendee at once instead of a connection's timeout; undefined when it looks up. */
  down?(node: string): Promise<string | undefined>;
}
export interface Gateway {
  port: number;
  /** The gateway's host public key line, for the attendees' known_hosts (attendeeSshConfig). */
  hostKey: string;
  close(): Promise<void>;
}
export interface GatewayEvent {
  user: string;
  kind: string;
  node?: string;
}

export interface GatewayLimits {
  /** Logged-in connections one attendee may hold at once (each ssh -J is one). */
  perAttendee: number;
  /** Connections not yet logged in, all attendees together. */
  unauthenticated: number;
  /** Seconds a connection has to log in. */
  loginSeconds: number;
  /** Open channels (shells, jumps) per connection. */
  channels: number;
}
const LIMITS: GatewayLimits = { perAttendee: 8, unauthenticated: 32, loginSeconds: 20, channels: 8 };
const MAX_AUTH_TRIES = 6; // as OpenSSH's MaxAuthTries

/** The caller's lists are read live: one that throws (an instance's damaged state) counts as empty,
 * never as the gateway's crash, which would drop every attendee. */
function safely<T>(read: () => T[]): T[] {
  try {
    return read();
  } catch {
    return [];
  }
}

export async function startGateway(opts: {
  listen: string;
  port: number; // port 0 = pick a free one
  hostKeyPath: string; // created (ed25519) when missing, 0600
  attendees: () => GatewayAttendee[]; // live list: attendees may be added while serving
  onEvent?: (e: GatewayEvent) => void; // no secrets in it
  limits?: Partial<GatewayLimits>;
}): Promise<Gateway> {
  const hostKey = loadOrCreateHostKey(opts.hostKeyPath);
  const limits = { ...LIMITS, ...opts.limits };
  const emit = (e: GatewayEvent) => {
    try {
      opts.onEvent?.(e);
    } catch {
      // a listener's failure is not the attendee's
    }
  };
  const connections = new Set<Connection>();
  const loggedIn = new Map<string, number>();
  let unauthenticated = 0;

  const server = new ssh2.Server(
    { hostKeys: [hostKey.privateKey], ident: 'lab-serve-gateway' },
    (conn: Connection) => {
      connections.add(conn);
      conn.on('error', () => undefined); // a client that goes away mid-handshake is no crash
      if (unauthenticated >= limits.unauthenticated) {
        conn.end();
        connections.delete(conn);
        return;
      }
      unauthenticated++;
      let pending = true;
      const settle = () => {
        if (pending) unauthenticated--;
        pending = false;
        clearTimeout(loginTimer);
      };
      const loginTimer = setTimeout(() => conn.end(), limits.loginSeconds * 1000);
      let attendee: GatewayAttendee | undefined;
      let tries = 0;

      conn.on('authentication', (ctx) => {
        if (ctx.method !== 'publickey' || ctx.service !== 'ssh-connection') return ctx.reject(['publickey']);
        const candidate = safely(opts.attendees).find((a) => a.user === ctx.username);
        if (judgeKey(candidate?.authorizedKey, ctx) === 'reject') {
          emit({ user: printableLine(ctx.username.slice(0, 64)), kind: 'login-refused' });
          if (++tries >= MAX_AUTH_TRIES) conn.end();
          return ctx.reject(['publickey']);
        }
        if (!ctx.signature) return ctx.accept(); // the key would do: the client signs next
        const user = candidate!.user;
        if ((loggedIn.get(user) ?? 0) >= limits.perAttendee) {
          emit({ user, kind: 'login-refused-too-many' });
          ctx.reject(['publickey']);
          return conn.end();
        }
        attendee = candidate;
        loggedIn.set(user, (loggedIn.get(user) ?? 0) + 1);
        settle();
        ctx.accept();
      });

      conn.on('ready', () => {
        const who = attendee!;
        emit({ user: who.user, kind: 'login' });
        serveAttendee(conn, who, limits.channels, emit);
      });

      conn.on('close', () => {
        settle();
        connections.delete(conn);
        if (attendee) {
          const left = (loggedIn.get(attendee.user) ?? 1) - 1;
          if (left > 0) loggedIn.set(attendee.user, left);
          else loggedIn.delete(attendee.user);
          emit({ user: attendee.user, kind: 'logout' });
        }
      });
    },
  );

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.listen, () => {
      server.off('error', reject);
      resolve();
    });
  });
  server.on('error', () => undefined);
  return {
    port: (server.address() as AddressInfo).port,
    hostKey: hostKey.publicKey,
    close: () =>
      new Promise<void>((resolve) => {
        for (const c of connections) c.end();
        server.close(() => resolve());
      }),
  };
}

/** ssh2's reject() sends no description: the protocol's channel open failure is given one, for the
 * attendee's ssh to print (OpenSSH: "channel 0: open failed: connect failed: WHY"). */
function rejectWith(conn: Connection, reject: () => void, why: string): void {
  const proto = (conn as unknown as { _protocol?: { channelOpenFail?: (...a: unknown[]) => void } })
    ._protocol;
  const original = proto?.channelOpenFail;
  if (!proto || !original) {
    reject();
    return;
  }
  proto.channelOpenFail = (sender: unknown, reason: unknown) =>
    original.call(proto, sender, reason, printableLine(why).slice(0, 400));
  try {
    reject();
  } finally {
    proto.channelOpenFail = original;
  }
}

/** What the attendee's down() says of a node; nothing when it cannot say (or throws). */
async function downOf(who: GatewayAttendee, node: string): Promise<string | undefined> {
  try {
    return (await who.down?.(node)) || undefined;
  } catch {
    return undefined;
  }
}

/** What a logged-in attendee may do: sessions (menu, NODE, NODE CMD) and direct-tcpip to NODE:22. */
function serveAttendee(
  conn: Connection,
  who: GatewayAttendee,
  maxChannels: number,
  emit: (e: GatewayEvent) => void,
): void {
  let open = 0;
  const targets = () => safely(() => who.targets());
  const nodeNames = () => targets().map((t) => t.node);
  const targetOf = (name: string) => targets().find((t) => t.node === name);
  const counted = <T extends { on(e: 'close', f: () => void): unknown }>(ch: T): T => {
    open++;
    ch.on('close', () => open--);
    return ch;
  };
  const refuse = (kind: string, reject?: () => void, node?: string) => {
    emit({ user: who.user, kind, ...(node !== undefined ? { node: printableLine(node.slice(0, 64)) } : {}) });
    reject?.();
  };

  // global requests: tcpip-forward (ssh -R), streamlocal-forward: refused
  conn.on('request', (_accept, reject, name) => refuse(`refused-${name}`, reject));
  conn.on('openssh.streamlocal', (_accept, reject) => refuse('refused-streamlocal', reject));

  /** A channel refused with a reason the attendee's ssh prints ("open failed: connect failed: WHY"). */
  const refuseSaying = (kind: string, reject: () => void, node: string, why: string) =>
    refuse(kind, () => rejectWith(conn, reject, why), node);
  /** Why a node cannot be reached: what the host knows of it, else what the connection met. */
  const whyDown = async (node: string, met: string) => (await downOf(who, node)) ?? met;

  conn.on('tcpip', (accept, reject, info) => {
    const target = info.destPort === 22 ? targetOf(info.destIP) : undefined;
    if (!target || open >= maxChannels) {
      const dest = `${info.destIP}:${info.destPort}`;
      if (open >= maxChannels)
        return refuseSaying('refused-jump', reject, dest, 'too many channels open at once');
      const names = nodeNames();
      const none = `${printableLine(dest.slice(0, 80))} is none of yours: name one of your nodes, port 22 (${names.join(', ')})`;
      // no nodes at all: their instance is gone, or its nodes cannot be read; the host says which
      if (names.length || info.destPort !== 22) return refuseSaying('refused-jump', reject, dest, none);
      whyDown(info.destIP.slice(0, 64), none).then((why) => refuseSaying('refused-jump', reject, dest, why));
      return;
    }
    // what the host knows of the node, asked beside the connection: a node that is down is said at once
    const down = downOf(who, target.node);
    guardNode(target, who.link)
      .then(() => {
        const socket = tcpConnect({ host: target.host, port: target.port ?? 22, timeout: 5000 });
        let settled = false;
        const fail = (met: string) => {
          if (settled) return;
          settled = true;
          socket.destroy();
          whyDown(target.node, met).then((why) => refuseSaying('node-unreachable', reject, target.node, why));
        };
        const onError = (e: NodeJS.ErrnoException) =>
          fail(`${target.node} does not answer on port ${target.port ?? 22}: ${e.code ?? e.message}`);
        const onTimeout = () => fail(`${target.node} does not answer on port ${target.port ?? 22} (5 s)`);
        socket.once('timeout', onTimeout);
        socket.once('error', onError);
        down.then((why) => {
          if (why) fail(why);
        });
        socket.once('connect', () => {
          if (settled) return;
          settled = true;
          socket.off('timeout', onTimeout);
          socket.off('error', onError);
          socket.setTimeout(0);
          socket.setNoDelay(true);
          const channel = counted(accept());
          emit({ user: who.user, kind: 'jump', node: target.node });
          socket.pipe(channel).pipe(socket);
          socket.on('error', () => channel.close());
          channel.on('error', () => socket.destroy());
          channel.on('close', () => socket.destroy());
          socket.on('close', () => channel.close());
        });
      })
      .catch((e: Error) =>
        whyDown(target.node, e.message).then((why) =>
          refuseSaying('refused-route', reject, target.node, why),
        ),
      );
  });

  conn.on('session', (accept, reject) => {
    if (open >= maxChannels) return refuse('refused-channels', reject);
    const session = counted(accept());
    let pty: PseudoTtyInfo | undefined;
    let node: NodeChannel | undefined;
    session.on('pty', (ok, _no, info) => {
      pty = info;
      ok?.();
    });
    session.on('window-change', (ok, _no, info) => {
      if (pty)
        Object.assign(pty, { cols: info.cols, rows: info.rows, width: info.width, height: info.height });
      node?.channel.setWindow(info.rows, info.cols, info.height, info.width);
      ok?.();
    });
    session.on('env', (ok) => ok?.()); // LANG and the like: accepted and not passed on
    for (const ev of ['x11', 'auth-agent', 'sftp', 'subsystem', 'signal'] as const)
      session.on(ev as 'x11', (_ok, no) => refuse(`refused-${ev}`, no));

    const open_ = async (channel: ServerChannel, name: string, command?: string) => {
      const target = targetOf(name);
      if (!target) {
        refuse('refused-node', undefined, name);
        const names = nodeNames();
        const none = `no node '${printableLine(name.slice(0, 64))}' here; yours: ${names.join(', ')}`;
        // no nodes at all: their instance is gone, or its nodes cannot be read; the host says which
        channel.stderr.write(`${names.length ? none : await whyDown(name.slice(0, 64), none)}\r\n`);
        channel.exit(1);
        return channel.end();
      }
      // one try, beside what the host knows of the node: a node that is down is said at once
      const opening = openNodeChannel(target, who.link, {
        pty: pty && {
          cols: pty.cols,
          rows: pty.rows,
          width: pty.width,
          height: pty.height,
          term: pty.term,
        },
        command,
        retry: false,
      });
      try {
        const down = downOf(who, target.node).then((why) => {
          if (why) throw new Error(why);
          return opening;
        });
        node = await Promise.race([opening, down]);
      } catch (e) {
        opening.then(
          (n) => n.close(),
          () => undefined,
        ); // opened after all: not used
        refuse('node-unreachable', undefined, name);
        const why = await whyDown(target.node, (e as Error).message);
        channel.stderr.write(`cannot open ${target.node}: ${printableLine(why)}\r\n`);
        channel.exit(1);
        return channel.end();
      }
      if (channel.destroyed) return node.close();
      emit({ user: who.user, kind: command === undefined ? 'shell' : 'exec', node: target.node });
      bridge(channel, node, target.node);
    };

    session.on('shell', (ok) => {
      const channel = ok();
      if (!pty) {
        // no terminal to show a menu on (ssh -T): say how to name a node instead
        channel.stderr.write(`name a node: ssh ${who.user}@HOST NODE; yours: ${nodeNames().join(', ')}\n`);
        channel.exit(2);
        return channel.end();
      }
      emit({ user: who.user, kind: 'menu' });
      pickNode(channel, who.user, nodeNames).then((picked) => {
        if (picked) return open_(channel, picked);
        channel.exit(0);
        channel.end();
      });
    });

    session.on('exec', (ok, _no, info) => {
      // "NODE" opens its shell, "NODE CMD..." runs CMD there; the command reaches the node's sshd as is
      const m = /^\s*(\S+)(?:\s+([\s\S]*))?$/.exec(info.command);
      const channel = ok();
      open_(channel, m?.[1] ?? '', m?.[2] || undefined);
    });
  });
}
