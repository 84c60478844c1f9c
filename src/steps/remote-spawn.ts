// zx runs a command through its `spawn` option: this one runs it on a node, as an exec channel of the
// node's open ssh2 connection, and returns what zx expects of a child process (streams, events, kill).
import { EventEmitter } from 'node:events';
import { PassThrough } from 'node:stream';
import type { Client as SshClient } from 'ssh2';
import { HELD_OUTPUT_NOTE, onChannelEnd } from '../transport/channel-end.js';

/** What the node $ needs of a connection: SshShell has it; another provider's transport can too. */
export interface Connection {
  readonly node: string;
  connect(): Promise<SshClient>;
}

/** One command's end, for error messages that name the node and the command. */
export interface CommandEnd {
  node: string;
  command: string;
  exitCode: number | null;
  signal: string | null;
  stderr: string;
}

/** Fake pids above the kernel's pid_max (2^22): zx keys kill() on them, and no host process has one. */
let nextPid = 2 ** 30;
const running = new Map<number, RemoteChild>();

/** What carries a signal to the command: the SSH channel, or the step worker's link to it. */
export interface Signallable {
  signal(signal: string): unknown;
  close(): unknown;
}

export class RemoteChild extends EventEmitter {
  readonly pid = nextPid++;
  readonly stdout = new PassThrough();
  readonly stderr = new PassThrough();
  readonly stdin = new PassThrough();
  exitCode: number | null = null;
  signalCode: string | null = null;
  killed = false;
  private channel?: Signallable;
  private pendingSignal?: string;
  private closed = false;

  constructor() {
    super();
    running.set(this.pid, this);
  }

  /** Emits exit and close once, with zx's (code, signal) convention. */
  finish(code: number | null, signal: string | null): void {
    if (this.closed) return;
    this.closed = true;
    running.delete(this.pid);
    this.exitCode = code;
    this.signalCode = signal;
    this.stdout.end();
    this.stderr.end();
    this.emit('exit', code, signal);
    // let the streams flush their last chunk before zx reads the store
    setImmediate(() => this.emit('close', code, signal));
  }

  attach(channel: Signallable): void {
    this.channel = channel;
    if (this.pendingSignal) this.kill(this.pendingSignal);
  }

  /** Signals the command on the node (sshd passes it on) and stops waiting for it. */
  kill(signal: NodeJS.Signals | string = 'SIGTERM'): boolean {
    const sig = String(signal).replace(/^SIG/, '');
    this.killed = true;
    if (!this.channel) {
      this.pendingSignal = sig;
      return true;
    }
    try {
      this.channel.signal(sig);
      this.channel.close();
    } catch {
      // the channel is already gone
    }
    // sshd may never report a killed command's end: end it here
    setTimeout(() => this.finish(null, `SIG${sig}`), 200).unref();
    return true;
  }
}

/** Kills a command started by a remote spawn; false when the pid is not one of ours. */
export function killRemote(pid: number | string, signal?: string): boolean {
  const child = running.get(Number(pid));
  if (!child) return false;
  child.kill(signal);
  return true;
}

/** A `spawn` for zx that runs every command on the connection's node. */
export function remoteSpawn(conn: Connection, onEnd?: (end: CommandEnd) => void) {
  return (command: string, args: readonly string[] = [], opts: { signal?: AbortSignal } = {}) => {
    const child = new RemoteChild();
    // zx passes the whole command line with shell: true; args only when a caller spawns a program
    const line = args.length ? [command, ...args].join(' ') : command;
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => {
      stderr = (stderr + d).slice(-4000);
    });
    const fail = (e: Error) => {
      child.emit('error', new Error(`${conn.node}: cannot run \`${line}\`: ${e.message}`));
      child.finish(255, null);
    };
    opts.signal?.addEventListener('abort', () => child.kill('SIGTERM'), { once: true });
    conn.connect().then((client) => {
      // ssh2 throws (Not connected) when the connection went down since it was handed out: the
      // command fails, instead of an unhandled rejection that would crash the process
      try {
        exec(client);
      } catch (e) {
        fail(e as Error);
      }
    }, fail);
    const exec = (client: SshClient) =>
      client.exec(line, (err, channel) => {
        if (err) return fail(err);
        child.attach(channel);
        channel.pipe(child.stdout, { end: false });
        channel.stderr.pipe(child.stderr, { end: false });
        child.stdin.pipe(channel);
        // the exit status ends the command, even when a process it left behind holds its output
        onChannelEnd(channel, ({ code, signal, heldOpen }) => {
          if (heldOpen) child.stderr.write(`${HELD_OUTPUT_NOTE}\n`);
          onEnd?.({ node: conn.node, command: line, exitCode: code, signal, stderr });
          child.finish(code ?? (signal ? null : 255), signal);
        });
      });
    return child;
  };
}
