// Booting nodes. Each node gets a holder process that keeps its mount and UTS namespaces alive
// (private /run and /root, its own /etc layered over the host's, its hostname), starts its sshd, and
// then runs the node's start script, as cloud-init runs user data.
//
// Nodes asked for in the same tick boot together from one launcher shell: Node's spawn blocks the
// event loop for ~5 ms per child here, so a hundred nodes spawned one by one cost seconds.
import { spawn } from 'node:child_process';
import { realpathSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Journal } from '../../engine/journal.js';
import { startTimeOf } from '../../host/processes.js';
import { PROJECT_DIR } from '../../paths.js';
import { shellQuote } from '../../shell-quote.js';
import type { CommandResult } from '../../transport/shell.js';
import type { NodeDirs } from './node-files.js';

// Runs inside the node's fresh namespaces; paths and the name come in as arguments, never pasted in.
// $1 etc upper, $2 overlay work, $3 log dir, $4 node name, $5 run dir, $6 root dir, $7 start script,
// $8 var upper, $9 its overlay work, then the host folders the node must still see (this checkout,
// Node.js: the Cilium agent runs from them), "--", and the host folders the node must not see.
// The sandbox: the host read-only, its own /etc and /var (overlays), /run, /root, /var/log, /tmp and
// /home, and every lab state folder an empty folder. It keeps a node from reading another instance's
// keys by path; root in a node shares the host's user and PID namespaces, so it is no jail.
const HOLDER = `set -e
node=$4 run=$5 start=$7
# what must stay visible is set aside before /tmp, /home and /root are covered, and put back after
i=0
for a in "$@"; do
  i=$((i + 1)); [ $i -le 9 ] && continue; [ "$a" = -- ] && break
  mkdir -p "$run/.keep/$i"; mount --bind "$a" "$run/.keep/$i"
done
mount --rbind "$run" /run
for k in "$run"/.keep/*; do if [ -d "$k" ]; then umount "$k"; fi; done
mount -t overlay lab-etc -o "lowerdir=/etc,upperdir=$1,workdir=$2" /etc
mount -t overlay lab-var -o "lowerdir=/var,upperdir=$8,workdir=$9" /var
mount --bind "$3" /var/log
mount --bind "$6" /root
mount -t tmpfs -o mode=1777,size=256m lab-tmp /tmp
mount -t tmpfs -o mode=755,size=64m lab-home /home
hostname "$node"
i=0
for a in "$@"; do
  i=$((i + 1)); [ $i -le 9 ] && continue; [ "$a" = -- ] && break
  if [ -d "$a" ]; then umount "/run/.keep/$i"; continue; fi
  mkdir -p "$a"; mount --move "/run/.keep/$i" "$a"; mount -o remount,bind,ro "$a"
done
shift $i
for d in "$@"; do if [ -d "$d" ]; then mount -t tmpfs -o mode=700,size=64k lab-hidden "$d"; fi; done
mount -o remount,bind,ro /
/usr/sbin/sshd -D -f /etc/ssh/sshd_config -E /var/log/sshd.log </dev/null >/dev/null 2>&1 &
echo "$node ready $$ $!"
set +e
if [ -s "$start" ]; then (cd / && sh "$start") >/var/log/lab-start.log 2>&1 </dev/null; echo "$node started $?"; else echo "$node started 0"; fi
exec sleep infinity </dev/null >/dev/null 2>&1`;

/** Host folders a node runs programs from, kept visible (read-only) wherever they are: this checkout
 * (the Cilium agent) and the Node.js installation, even under /tmp or /root. */
const VISIBLE = [PROJECT_DIR, dirname(dirname(realpathSync(process.execPath)))];

export interface BootRequest {
  node: string;
  netns: string;
  dirs: NodeDirs;
  /** Host folders hidden from the node (every lab state folder). */
  hidden: string[];
  /** The node's start script (may be empty), run once sshd is up. */
  startScript: string;
  scriptFile: string;
}

export interface Booted {
  holderPid: number;
  sshdPid: number;
  /** Settles when the start script has run: its exit code, and its output (from the node's log). */
  started: Promise<Omit<CommandResult, 'stdout'> & { logFile: string }>;
}

interface Pending {
  req: BootRequest;
  resolve: (b: Booted) => void;
  reject: (e: Error) => void;
  startedResolve?: (r: { exitCode: number }) => void;
}

export class Booter {
  private queue: Pending[] = [];

  constructor(private readonly journal: Journal) {}

  boot(req: BootRequest): Promise<Booted> {
    for (const name of ['holder', 'sshd'])
      this.journal.record({ kind: 'process', id: `process:${req.node}:${name}`, node: req.node, name });
    return new Promise((resolve, reject) => {
      this.queue.push({ req, resolve, reject });
      if (this.queue.length === 1) setImmediate(() => this.launch());
    });
  }

  private launch(): void {
    const batch = this.queue;
    this.queue = [];
    const byNode = new Map(batch.map((p) => [p.req.node, p]));
    const lines = batch.map(({ req }) => {
      const args = [
        req.dirs.etc,
        req.dirs.work,
        req.dirs.log,
        req.node,
        req.dirs.run,
        req.dirs.root,
        req.scriptFile,
        req.dirs.varUpper,
        req.dirs.varWork,
        ...VISIBLE,
        '--',
        ...req.hidden,
      ]
        .map(shellQuote)
        .join(' ');
      return `ip netns exec ${shellQuote(req.netns)} unshare --uts --mount --propagation private -- /bin/sh -c ${shellQuote(HOLDER)} holder ${args} &`;
    });
    // the script goes in on stdin (one argument may not exceed 128 KiB); background jobs read /dev/null
    const launcher = spawn('/bin/sh', ['-s'], { detached: true, stdio: ['pipe', 'pipe', 'pipe'] });
    launcher.stdin.on('error', () => undefined);
    launcher.stdin.end(`${lines.join('\n')}\n`);
    let out = '';
    let err = '';
    const settle = (p: Pending, e: Error) => {
      byNode.delete(p.req.node);
      p.reject(e);
    };
    launcher.stderr.on('data', (d) => {
      err += d;
    });
    launcher.stdout.on('data', (d) => {
      out += d;
      let nl = out.indexOf('\n');
      while (nl >= 0) {
        this.onLine(out.slice(0, nl), byNode);
        out = out.slice(nl + 1);
        nl = out.indexOf('\n');
      }
    });
    // every holder closes the pipe once it has reported: then whoever did not report has failed
    launcher.stdout.on('close', () => {
      for (const p of [...byNode.values()]) {
        if (!p.startedResolve)
          settle(p, new Error(`${p.req.node}: the node did not boot${err.trim() ? `: ${err.trim()}` : ''}`));
        else p.startedResolve({ exitCode: 255 });
      }
    });
    const timer = setTimeout(
      () => {
        for (const p of [...byNode.values()])
          if (!p.startedResolve) settle(p, new Error(`${p.req.node}: the node did not boot within 60 s`));
      },
      60_000 + batch.length * 100,
    );
    timer.unref();
    launcher.unref();
  }

  private onLine(line: string, byNode: Map<string, Pending>): void {
    const m = /^(\S+) (ready|started) (\d+)(?: (\d+))?$/.exec(line);
    const p = m && byNode.get(m[1]);
    if (!m || !p) return;
    const { node, dirs } = p.req;
    if (m[2] === 'ready') {
      const holderPid = Number(m[3]);
      const sshdPid = Number(m[4]);
      this.journal.update({
        id: `process:${node}:holder`,
        pid: holderPid,
        starttime: startTimeOf(holderPid),
      });
      this.journal.update({ id: `process:${node}:sshd`, pid: sshdPid, starttime: startTimeOf(sshdPid) });
      const t = performance.now();
      const startedPromise = new Promise<{ exitCode: number }>((resolve) => {
        p.startedResolve = resolve;
      }).then(({ exitCode }) => ({
        node,
        command: p.req.scriptFile,
        exitCode,
        stderr: '',
        durationMs: Math.round(performance.now() - t),
        timedOut: false,
        logFile: `${dirs.log}/lab-start.log`,
      }));
      p.resolve({ holderPid, sshdPid, started: startedPromise });
    } else {
      byNode.delete(node);
      p.startedResolve?.({ exitCode: Number(m[3]) });
    }
  }
}
