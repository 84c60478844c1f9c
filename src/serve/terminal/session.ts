// One node's shell shared by the sockets of one key: the attendee's (input and output) and read-only
// viewers' (output only). Output is bounded everywhere: the node's channel pauses while a writer's
// socket is backed up (SSH's window then holds the node), and a viewer that falls behind is dropped,
// never waited for. A short scrollback lets a viewer joining late see the screen's recent past.
import type { WebSocket } from 'ws';
import { printableLine } from '../../printable.js';
import type { SshTarget } from '../../transport/ssh.js';
import { type NodeChannel, openNodeChannel } from '../gateway/node-shell.js';
import { parseFrame } from './frames.js';

export const LIMITS = {
  /** A writer's socket buffering more than this pauses the node's output... */
  pauseAbove: 256 * 1024,
  /** ...until it drains below this. */
  resumeBelow: 64 * 1024,
  /** A viewer buffering more than this is closed (1013): the attendee's shell never waits for it. */
  viewerMax: 1024 * 1024,
  /** What a viewer joining late is sent first. */
  scrollback: 64 * 1024,
  /** Sockets on one session, writers and viewers together. */
  sockets: 16,
};

const EARLY_MAX = 64 * 1024;

interface Peer {
  readOnly: boolean;
}

export class TerminalSession {
  private readonly peers = new Map<WebSocket, Peer>();
  private node?: NodeChannel;
  private opening = false;
  private ended = false;
  private paused = false;
  private size = { cols: 80, rows: 24 };
  private scrollback: Buffer[] = [];
  private scrollbackBytes = 0;
  /** Keys typed while the shell opens, given to it once open (bounded: a paste, not a flood). */
  private early: Buffer[] = [];
  private earlyBytes = 0;

  constructor(
    readonly key: string,
    private readonly target: SshTarget,
    private readonly link: string,
    private readonly onEnd: () => void,
    private readonly down?: () => Promise<string | undefined>,
  ) {}

  get isEnded(): boolean {
    return this.ended;
  }

  add(ws: WebSocket, readOnly: boolean): void {
    if (this.peers.size >= LIMITS.sockets) {
      ws.close(1013, 'too many on this terminal');
      return;
    }
    this.peers.set(ws, { readOnly });
    ws.on('message', (data: Buffer | ArrayBuffer | Buffer[], isBinary: boolean) => {
      if (readOnly || this.ended) return; // a viewer never types, nor resizes the attendee's terminal
      const buf = Buffer.isBuffer(data)
        ? data
        : Array.isArray(data)
          ? Buffer.concat(data)
          : Buffer.from(data);
      this.fromBrowser(ws, buf, isBinary);
    });
    ws.on('close', () => this.remove(ws));
    ws.on('error', () => this.remove(ws));
    for (const chunk of this.scrollback) this.sendTo(ws, chunk);
    if (!readOnly) this.open();
    else if (!this.node && !this.opening)
      this.sendTo(ws, Buffer.from('[waiting for this terminal to be opened]\r\n'));
  }

  private writers(): WebSocket[] {
    return [...this.peers].filter(([, p]) => !p.readOnly).map(([ws]) => ws);
  }

  private async open(): Promise<void> {
    if (this.node || this.opening || this.ended) return;
    this.opening = true;
    const asked = this.size;
    try {
      const down = await this.down?.().catch(() => undefined);
      if (down) {
        this.opening = false;
        this.toBrowsers(Buffer.from(`\r\n[${printableLine(down)}]\r\n`));
        return this.end(1011, `${this.target.node} is down`);
      }
      const node = await openNodeChannel(this.target, this.link, {
        pty: { term: 'xterm-256color', ...asked },
      });
      this.opening = false;
      if (this.ended) return node.close();
      this.node = node;
      // a resize that came while the shell opened
      if (this.size !== asked) node.channel.setWindow(this.size.rows, this.size.cols, 0, 0);
      for (const keys of this.early.splice(0)) node.channel.write(keys);
      node.channel.on('data', (d: Buffer) => this.toBrowsers(d));
      node.channel.stderr.on('data', (d: Buffer) => this.toBrowsers(d));
      node.channel.on('close', () => this.end(1000, 'the shell ended'));
      node.channel.on('error', () => this.end(1011, 'the node closed the shell'));
    } catch (e) {
      this.opening = false;
      this.toBrowsers(
        Buffer.from(`\r\n[cannot open ${this.target.node}: ${printableLine((e as Error).message)}]\r\n`),
      );
      this.end(1011, `cannot open ${this.target.node}`);
    }
  }

  private fromBrowser(ws: WebSocket, data: Buffer, isBinary: boolean): void {
    const frame = parseFrame(data, isBinary);
    if ('resize' in frame) {
      this.size = frame.resize;
      this.node?.channel.setWindow(frame.resize.rows, frame.resize.cols, 0, 0);
      return;
    }
    if (!this.node) {
      if (this.earlyBytes + frame.input.length <= EARLY_MAX) {
        this.early.push(frame.input);
        this.earlyBytes += frame.input.length;
      }
      return;
    }
    if (!this.node.channel.write(frame.input)) {
      // the node is not reading: stop reading this socket until it does
      ws.pause();
      this.node.channel.once('drain', () => ws.resume());
    }
  }

  private toBrowsers(data: Buffer): void {
    this.scrollback.push(data);
    this.scrollbackBytes += data.length;
    while (this.scrollbackBytes > LIMITS.scrollback && this.scrollback.length > 1)
      this.scrollbackBytes -= this.scrollback.shift()!.length;
    for (const ws of this.peers.keys()) this.sendTo(ws, data);
  }

  private sendTo(ws: WebSocket, data: Buffer): void {
    const peer = this.peers.get(ws);
    if (!peer || ws.readyState !== ws.OPEN) return;
    if (peer.readOnly && ws.bufferedAmount > LIMITS.viewerMax) {
      this.peers.delete(ws);
      ws.close(1013, 'the viewer fell behind');
      return;
    }
    ws.send(data, { binary: true }, () => this.maybeResume());
    if (!peer.readOnly && ws.bufferedAmount > LIMITS.pauseAbove && !this.paused && this.node) {
      this.paused = true;
      this.node.channel.pause();
    }
  }

  private maybeResume(): void {
    if (!this.paused || this.writers().some((ws) => ws.bufferedAmount > LIMITS.resumeBelow)) return;
    this.paused = false;
    this.node?.channel.resume();
  }

  private remove(ws: WebSocket): void {
    if (!this.peers.delete(ws)) return;
    // the attendee's last socket gone ends the shell; viewers alone waiting for it end when all have left
    const started = this.node !== undefined || this.opening;
    if (!this.writers().length && (started || !this.peers.size)) this.end(1000, 'the terminal was closed');
    else this.maybeResume();
  }

  /** Ends the shell and closes every socket of the session (viewers too: there is nothing more to see). */
  end(code: number, reason: string): void {
    if (this.ended) return;
    this.ended = true;
    this.node?.close();
    for (const ws of this.peers.keys()) if (ws.readyState === ws.OPEN) ws.close(code, reason);
    this.peers.clear();
    this.onEnd();
  }
}
