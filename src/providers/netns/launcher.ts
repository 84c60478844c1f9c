// The shell that starts nodes: one per lab process, under the nodes' seccomp filter (seccomp.ts), fed
// each batch of node lines as it comes. A launcher per batch cost a fork of this process and a python3
// loading the filter (~14 ms of CPU) each time: fifty times in a 30-attendee workshop, where instances
// boot one after another. Every node's line starts with a tag of its own (its network namespace's
// name, unique on the host), which routes what it says to whoever booted it.
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import type { Socket } from 'node:net';
import { underSeccomp } from './seccomp.js';

/** What a node's lines reach: each line it says, and the launcher's end (then it says nothing more). */
export interface LaunchListener {
  line(line: string): void;
  gone(why: string): void;
}

/** What the launcher last wrote on stderr (its own errors: the filter's loader, a missing tool). */
const ERR_TAIL = 4096;

class Launcher {
  private readonly proc: ChildProcessWithoutNullStreams;
  private readonly listeners = new Map<string, LaunchListener>();
  private out = '';
  private err = '';
  ended = false;

  constructor(env: NodeJS.ProcessEnv, prelude: string) {
    // detached: a Ctrl-C at the terminal (the foreground group's SIGINT) does not reach the nodes
    // in /, not lab up's folder: a node's processes would start there (and its path reach their OLDPWD)
    this.proc = spawn(...underSeccomp(['/bin/sh', '-s']), { detached: true, stdio: 'pipe', env, cwd: '/' });
    this.proc.stdin.on('error', () => undefined);
    this.proc.stderr.on('data', (d) => {
      this.err = (this.err + d).slice(-ERR_TAIL);
    });
    this.proc.stdout.on('data', (d) => {
      this.out += d;
      for (let nl = this.out.indexOf('\n'); nl >= 0; nl = this.out.indexOf('\n')) {
        const line = this.out.slice(0, nl);
        this.out = this.out.slice(nl + 1);
        this.listeners.get(line.slice(0, line.indexOf(' ')))?.line(line);
      }
    });
    // the loader refused (python3-seccomp missing) or the shell died: whoever waits hears why
    this.proc.stdout.on('close', () => {
      this.ended = true;
      const why = this.err.trim() || 'the launcher shell ended';
      for (const l of [...this.listeners.values()]) l.gone(why);
      this.listeners.clear();
    });
    this.proc.unref();
    this.proc.stdin.write(prelude);
    this.refresh();
  }

  /** Listens for these tags, then runs the lines. */
  run(lines: string[], listeners: Map<string, LaunchListener>): void {
    for (const [tag, l] of listeners) this.listeners.set(tag, l);
    this.refresh();
    this.proc.stdin.write(`${lines.join('\n')}\n`);
  }

  /** A node that has said all it will: its tag is forgotten. */
  forget(tag: string): void {
    this.listeners.delete(tag);
    this.refresh();
  }

  /** Keeps the lab process alive while a node is still to speak, and only then: the shell itself lives
   * as long as this process (its stdin ends with it). */
  private refresh(): void {
    // a child's pipes are sockets (stdio 'pipe')
    for (const s of [this.proc.stdout, this.proc.stderr, this.proc.stdin] as unknown as Socket[])
      if (this.listeners.size) s.ref();
      else s.unref();
  }
}

let current: Launcher | undefined;

/** This process's launcher, started on first use (and again if the last one ended). */
export function launcher(env: NodeJS.ProcessEnv, prelude: string): Launcher {
  if (!current || current.ended) current = new Launcher(env, prelude);
  return current;
}

export type { Launcher };
