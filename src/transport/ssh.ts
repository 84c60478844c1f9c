// SSH with ssh2: one persistent connection per node, many exec channels, SFTP for files,
// a timeout on every command, and reconnection with backoff when the connection drops.
import { availableParallelism } from 'node:os';
import type { KexAlgorithm, Client as SshClient } from 'ssh2';
import { HELD_OUTPUT_NOTE, onChannelEnd } from './channel-end.js';
import { parsePublicKeyLine } from './keys.js';
import type { CommandResult, NodeShell } from './shell.js';
import { ssh2Client } from './ssh2-client.js';

export interface SshTarget {
  node: string;
  host: string;
  port?: number;
  /** root unless said (a Vagrant box's user is vagrant, with sudo). */
  user?: string;
  /** Where the private key came from, when it is not the instance's own (Vagrant's per-machine key). */
  identityFile?: string;
  /** OpenSSH private key of the instance's user. */
  privateKey: string;
  /** The node's host public key (OpenSSH format), pinned: no trust on first use. */
  hostKey: string;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Handshakes under way at once in this process. A handshake is CPU on both ends (key exchange here
 * and in the node's sshd): 250 clos-fabric nodes handshaking at once, beside their daemons starting,
 * left most of them past their 15 s on a 2-core host; in turn, each gets its budget whole. */
const HANDSHAKES = 4 * availableParallelism();
let handshaking = 0;
const waitingForHandshake: (() => void)[] = [];

/** A handshake's turn, and how long it waited for it (ms); release() hands the turn to the next. */
async function handshakeTurn(): Promise<{ waitedMs: number; release: () => void }> {
  const t = Date.now();
  if (handshaking < HANDSHAKES) handshaking++;
  else await new Promise<void>((turn) => waitingForHandshake.push(turn));
  const release = () => {
    const next = waitingForHandshake.shift();
    if (next) next();
    else handshaking--;
  };
  return { waitedMs: Date.now() - t, release };
}

/** Whether ssh2 would still send on this client: the check its exec makes on its socket (private). */
function isOpen(c: SshClient): boolean {
  const sock = (c as unknown as { _sock?: { writable: boolean; destroyed: boolean } })._sock;
  return !!sock && sock.writable && !sock.destroyed;
}

/** Key exchanges, ECDH over P-256 first: OpenSSH computes it with OpenSSL, its curve25519 with
 * slower C code of its own (~3 ms of a node's sshd CPU per connection here, of 15). Attendees'
 * OpenSSH clients keep their own preference. */
const KEX: KexAlgorithm[] = [
  'ecdh-sha2-nistp256',
  'curve25519-sha256',
  'curve25519-sha256@libssh.org',
  'ecdh-sha2-nistp384',
  'ecdh-sha2-nistp521',
  'diffie-hellman-group14-sha256',
];

export class SshShell implements NodeShell {
  private client?: SshClient;
  private connecting?: Promise<SshClient>;
  /** The last failed connection, and when: the calls right behind it get its answer at once. */
  private failed?: { error: Error; at: number };
  private closed = false;
  /** The node's host key, and its kind: the only kind asked for. */
  private readonly pinned: ReturnType<typeof parsePublicKeyLine>;

  constructor(
    readonly target: SshTarget,
    private readonly opts: {
      connectTimeoutMs?: number;
      defaultTimeoutMs?: number;
      /** Retry a refused or failed connection until connectTimeoutMs (a node still booting); false: one try. */
      retry?: boolean;
    } = {},
  ) {
    this.pinned = parsePublicKeyLine(target.hostKey);
  }

  get node(): string {
    return this.target.node;
  }

  /** Connects, retrying while the node's sshd is not yet listening (fast at first, then backing off). */
  connect(): Promise<SshClient> {
    // a connection that dropped but has not said 'close' yet is not reused: ssh2 would throw 'Not connected'
    if (this.client && !isOpen(this.client)) this.client = undefined;
    if (this.client) return Promise.resolve(this.client);
    // a node that just failed to answer (a frozen sshd) is not waited for again at once: lab check's
    // next checks on it took its whole connect timeout each. Past that time, a new try
    const fresh = Math.min(this.opts.connectTimeoutMs ?? 15_000, 5000);
    if (this.failed && Date.now() - this.failed.at < fresh) return Promise.reject(this.failed.error);
    this.connecting ??= this.connectWithRetry()
      .then((c) => {
        this.failed = undefined;
        return c;
      })
      .catch((e: Error) => {
        this.failed = { error: e, at: Date.now() };
        throw e;
      })
      .finally(() => {
        this.connecting = undefined;
      });
    return this.connecting;
  }

  private async connectWithRetry(): Promise<SshClient> {
    let deadline = Date.now() + (this.opts.connectTimeoutMs ?? 15_000);
    let delay = 5;
    let last: Error | undefined;
    while (!this.closed && Date.now() < deadline) {
      // the wait for a turn does not count against the node
      const turn = await handshakeTurn();
      deadline += turn.waitedMs;
      try {
        return await this.connectOnce(deadline - Date.now());
      } catch (e) {
        last = e as Error;
        if (/host key|authentication/i.test(last.message) || this.opts.retry === false) break; // retrying cannot help
      } finally {
        turn.release();
      }
      await sleep(delay);
      delay = Math.min(delay * 2, 250);
    }
    throw new Error(
      `${this.node}: cannot connect over SSH to ${this.target.host}: ${last?.message ?? 'closed'}`,
    );
  }

  private async connectOnce(timeoutMs: number): Promise<SshClient> {
    // ssh2 is loaded on first use: lab up starts the daemons before it needs it
    const Client = ssh2Client();
    return new Promise((resolve, reject) => {
      const c = new Client();
      c.once('ready', () => {
        c.setNoDelay(true); // without it, Nagle and delayed ACKs add ~80 ms to every command
        c.removeAllListeners('error');
        c.on('error', () => undefined);
        c.on('close', () => {
          if (this.client === c) this.client = undefined; // the next command reconnects
        });
        this.client = c;
        resolve(c);
      });
      // ssh2 may report more than one error for one failed attempt (a handshake timeout, then the
      // connection lost): every one is handled, or the second would crash the process
      c.on('error', (e) => {
        c.end();
        reject(e);
      });
      c.connect({
        host: this.target.host,
        port: this.target.port ?? 22,
        username: this.target.user ?? 'root',
        privateKey: this.target.privateKey,
        hostVerifier: (key: Buffer) => key.equals(this.pinned.blob),
        readyTimeout: Math.max(1000, timeoutMs),
        keepaliveInterval: 5000,
        // only the pinned key's kind: a VM's sshd offers ed25519 first, a node's its ECDSA key too
        algorithms: {
          kex: KEX,
          serverHostKey: [this.pinned.type],
        },
      });
    });
  }

  async exec(
    command: string,
    opts: { timeoutMs?: number; maxOutputChars?: number } = {},
  ): Promise<CommandResult> {
    const max = opts.maxOutputChars ?? Number.POSITIVE_INFINITY;
    const timeoutMs = opts.timeoutMs ?? this.opts.defaultTimeoutMs ?? 30_000;
    const started = performance.now();
    const client = await this.connect();
    return new Promise((resolve, reject) => {
      client.exec(command, (err, stream) => {
        if (err) return reject(new Error(`${this.node}: cannot run \`${command}\`: ${err.message}`));
        let stdout = '';
        let stderr = '';
        let dropped = 0;
        let timedOut = false;
        const finish = (code: number | null, heldOpen = false) => {
          clearTimeout(timer);
          const notes = [
            ...(dropped ? [`[lab: ${dropped} more characters of output were dropped]`] : []),
            ...(heldOpen ? [HELD_OUTPUT_NOTE] : []),
          ];
          resolve({
            node: this.node,
            command,
            exitCode: timedOut ? 124 : (code ?? 255),
            stdout,
            stderr: notes.length
              ? `${stderr}${stderr && !stderr.endsWith('\n') ? '\n' : ''}${notes.join('\n')}`
              : stderr,
            durationMs: Math.round(performance.now() - started),
            timedOut,
            ...(heldOpen ? { heldOpen } : {}),
          });
        };
        const timer = setTimeout(() => {
          timedOut = true;
          // stop the command on the node (sshd passes the signal on), and do not wait for it
          stream.signal('KILL');
          stream.close();
          finish(null);
        }, timeoutMs);
        // beyond the limit, output is read (the command goes on to its end) and counted, not kept
        stream.on('data', (d: Buffer) => {
          if (stdout.length < max) stdout += d;
          else dropped += d.length;
        });
        stream.stderr.on('data', (d: Buffer) => {
          if (stderr.length < max) stderr += d;
          else dropped += d.length;
        });
        // the exit status ends the command, even when a process it left behind holds its output
        onChannelEnd(stream, ({ code, heldOpen }) => {
          if (!timedOut) finish(code, heldOpen);
        });
      });
    });
  }

  async putFile(path: string, content: string, mode = 0o644): Promise<void> {
    const client = await this.connect();
    await new Promise<void>((resolve, reject) => {
      client.sftp((err, sftp) => {
        if (err) return reject(err);
        sftp.writeFile(path, content, { mode }, (e) => {
          sftp.end();
          if (e) reject(new Error(`${this.node}: cannot write ${path} over SFTP: ${e.message}`));
          else resolve();
        });
      });
    });
  }

  close(): void {
    this.closed = true;
    this.client?.end();
    this.client = undefined;
  }
}
