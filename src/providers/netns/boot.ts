// Booting nodes. Each node gets a holder process that keeps its mount and UTS namespaces alive
// (private /run and /root, its own /etc layered over the host's, its hostname), starts its sshd, and
// then runs the node's start script, as cloud-init runs user data.
//
// Nodes asked for in the same tick boot together, a few lines to this process's launcher shell
// (launcher.ts): Node's spawn blocks the event loop for ~5 ms per child here, so a hundred nodes
// spawned one by one cost seconds.
import { readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import type { JournalWriter } from '../../contracts/provider.js';
import { InterruptedError } from '../../errors.js';
import { hostPidsOf, pidExists, startTimeOf } from '../../host/processes.js';
import { shellQuote } from '../../shell-quote.js';
import type { CommandResult } from '../../transport/shell.js';
import { cgroupProcsFiles, type NodeCgroup } from './cgroups.js';
import { launcher } from './launcher.js';
import type { NodeDirs } from './node-files.js';
import { hiddenInKept, keptFolders, sandboxFstab } from './sandbox.js';
import { Turns } from './turns.js';

// The node's first process, in two stages: as host root in the node's fresh mount and PID namespaces
// (the holder: it mounts the node's sandbox), then, by exec, as root of the node's user namespace (the
// node's init: it starts sshd and the start script). Paths and the name come in as arguments, never
// pasted in. $1 the sandbox's fstab, $2 node name, $3 its tag (what its lines start with), $4 run dir,
// $5 start script, $6 the node's user namespace, $7 its interfaces' `ip -batch` lines (addresses, links
// up, routes: the holder is in the node's network namespace already, where an nsenter per node made
// them with the network), then the host folders the node must still see
// although the sandbox covers them (sandbox.ts): set aside under the run folder first, carried to /run
// by its recursive bind, moved back to their place read-only; after "--", state folders inside those,
// hidden again.
// The tools are util-linux's (nsenter, setpriv, unshare, mount), as a container runtime's steps: a
// runtime such as crun would want a root filesystem and an OCI bundle per node, and bubblewrap maps one
// id only, while the node needs its whole range (FRR drops to the user frr).
const HOLDER = `set -e
fstab=$1 node=$2 tag=$3 run=$4 start=$5
# a step that fails says so (the launcher outlives it: no closed pipe tells); the exec below drops this
trap 'echo "$tag failed $?"' EXIT
# the user namespace is opened and the interfaces set before the node's /run covers the host's
exec 9< "$6"
ip -batch "$7"
# its name, in the UTS namespace the node's own copies (a write, not a hostname process)
echo "$node" > /proc/sys/kernel/hostname
shift 7
i=0
for a in "$@"; do
  [ "$a" = -- ] && break
  i=$((i + 1)); mkdir -p "$run/.keep/$i"; mount --bind "$a" "$run/.keep/$i"
done
mount -a -T "$fstab"
i=0
for a in "$@"; do
  [ "$a" = -- ] && break
  i=$((i + 1)); mkdir -p "$a"; mount --move "/run/.keep/$i" "$a"; mount -o remount,bind,ro "$a"
done
shift $((i + 1))
for d in "$@"; do mount -t tmpfs -o mode=700,size=64k lab-hidden "$d"; done
# into the node's user namespace (its root is the node's id range), new mount, UTS and IPC namespaces
# of its own (every mount above is locked in it), without the capabilities that act on the machine
# whatever the namespace: a kernel module, raw I/O, reboot, the clock, the kernel log (after nsenter:
# entering a user namespace gives back the whole bounding set)
exec nsenter --user=/proc/self/fd/9 -- setpriv --bounding-set -sys_module,-sys_rawio,-sys_boot,-sys_time,-syslog -- unshare --mount --uts --ipc -- /bin/sh -c "$init" init "$tag" "$start"`;

// The node's init, root of its user namespace: $1 its tag, $2 start script.
const NODE_INIT = `exec 9<&-
tag=$1 start=$2
# the node's locale, from here on: the boot's tools before ran in C (setlocale of C.UTF-8 opens a
# dozen files, ~0.2 ms in each of them)
unset LC_ALL
export LANG=C.UTF-8
# -r: a connection forks sshd, not fork and exec it again (linking 28 libraries, OpenSSL's start): 17 ms
# of sshd CPU per connection here, not 25. OpenSSH 9.8 and later always exec sshd-session, and log
# that -r is deprecated
/usr/sbin/sshd -D -r -f /etc/ssh/sshd_config -E /var/log/sshd.log </dev/null >/dev/null 2>&1 &
sshd=$!
echo "$tag ready $$ $sshd"
# read by a subshell of this one, not by a shell process of its own: a process start fewer per node
if [ -s "$start" ]; then (cd / && set -- && . "$start") >/var/log/lab-start.log 2>&1 </dev/null; echo "$tag started $?"; else echo "$tag started 0"; fi
# the namespace's init: it lets go of the launcher's pipe (and the boot's error file) and, unlike a
# bare sleep, leaves on SIGTERM (init ignores signals it has no handler for), taking every process of
# the node with it. It waits on sshd, which lasts as long as the node (a sleep process of its own
# only once sshd has ended); waiting reaps the node's orphans all the same
exec </dev/null >/dev/null 2>&1
trap 'exit 0' TERM INT
wait $sshd
sleep infinity &
wait $!`;

// In the new PID namespace's parent: joins the node's cgroups (so that all it starts is counted there;
// a node outside its limits does not start),
// then starts the holder, a subshell of its own (a fork, not a shell process started anew), the
// namespace's first process. $1... the cgroup.procs files, "--", the holder's arguments ($3 of those
// the node's tag).
const LAUNCH = `init=${shellQuote(NODE_INIT)}
for f in "$@"; do shift; [ "$f" = -- ] && break; echo $$ > "$f" || exit 1; done
(
${HOLDER}
) &
echo "$3 holder $!"`;

/** The environment a node's init, start script and daemons get (its init sets LANG), as a container runtime's: not the
 * environment of whoever ran lab up (its tokens and keys were readable in /proc/1/environ by root on
 * every node, a workshop's attendees too). */
const NODE_ENV = {
  PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
  HOME: '/root',
  // for the boot's tools (LC_ALL, not no locale at all: python3, which loads the seccomp filter, would
  // put LC_CTYPE=C.UTF-8 in their environment)
  LC_ALL: 'C',
};

/** Boots under way at once, per instance (turns.ts): the rest wait their turn in the lab's order (the
 * lab's order, not the order their files were written: a spine's thousand-neighbour configuration
 * took longest to write, and the spines booted after 992 leaves). */
const BOOTS_AT_ONCE = 16 * availableParallelism();
/** How long a node's boot may take from its turn on. */
const BOOT_LIMIT_S = 60;

export interface BootRequest {
  node: string;
  /** The node's place in the lab: boots take their turns in this order. */
  order?: number;
  netns: string;
  dirs: NodeDirs;
  /** Host folders hidden from the node (every lab state folder). */
  hidden: string[];
  /** The node's user namespace (userns.ts), kept by a bind mount, and its first host id (its root). */
  userns: string;
  idBase: number;
  /** The node's interfaces as `ip -batch` lines (network.ts), run in its network namespace by the holder. */
  wiring: string[];
  /** The size of the node's /tmp (its lab's requirements.netns.disk_mb). */
  diskMb: number;
  /** The node's cgroups (cgroups.ts), made with the network. */
  cgroup: NodeCgroup;
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
  /** The holder's host pid, from the shell that started it in its PID namespace. */
  holderPid?: number;
  /** The node's lines that came before that shell's: the holder is a forked subshell, which may say
   * ready (and started) before its parent, descheduled on a busy host, says its pid. */
  early?: string[];
}

export class Booter {
  private queue: Pending[] = [];
  private asked = 0;
  private timer: NodeJS.Timeout | undefined;

  /** `expected`: how many nodes this run boots. They come one by one, each once its files are
   * written: those asked for within a few ms of each other, or all of them, boot from one launcher
   * (the whole lab's nodes at once, where each tick's had two to four launchers). */
  constructor(
    private readonly journal: JournalWriter,
    private readonly expected = 1,
    /** Ctrl-C: the nodes still waiting for their turn fail at once instead of booting. */
    private readonly signal?: AbortSignal,
  ) {
    this.turns = new Turns(BOOTS_AT_ONCE, signal);
  }

  private readonly turns: Turns;
  private shell: ReturnType<typeof launcher> | undefined;

  boot(req: BootRequest): Promise<Booted> {
    for (const name of ['holder', 'sshd'])
      this.journal.record({ kind: 'process', id: `process:${req.node}:${name}`, node: req.node, name });
    return new Promise((resolve, reject) => {
      this.queue.push({ req, resolve, reject });
      this.asked++;
      if (this.asked >= this.expected) this.flush();
      else this.timer ??= setTimeout(() => this.flush(), 10);
    });
  }

  private flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.queue;
    if (!batch.length) return;
    try {
      this.launch();
    } catch (e) {
      // a file of the boot not written (a full disk): every node of the batch fails with it,
      // through up's own cleanup, rather than as an uncaught exception that leaves the lab
      for (const p of batch) p.reject(e as Error);
    }
  }

  private launch(): void {
    const batch = this.queue;
    this.queue = [];
    const byTag = new Map(batch.map((p) => [p.req.netns, p]));
    const lines = batch.map(({ req }) => {
      const fstab = join(dirname(req.dirs.run), 'fstab');
      writeFileSync(fstab, sandboxFstab(req.dirs, req.hidden, req));
      const wiring = join(dirname(req.dirs.run), 'ip-batch');
      writeFileSync(wiring, req.wiring.map((l) => `${l}\n`).join(''));
      // the boot's stderr, the node's own until its init lets go of it: read if the node fails
      writeFileSync(bootErrors(req), '');
      const kept = keptFolders();
      const args = [
        ...cgroupProcsFiles(req.cgroup),
        '--',
        fstab,
        req.node,
        req.netns,
        req.dirs.run,
        req.scriptFile,
        req.userns,
        wiring,
        ...kept,
        '--',
        ...hiddenInKept(kept, req.hidden),
      ]
        .map(shellQuote)
        .join(' ');
      // its own PID namespace and /proc: a node sees its own processes only, not the host's (whose
      // /proc/PID/root would open every folder the sandbox hides). unshare --pid without --fork: the
      // shell's first child, the holder, is the namespace's init; the shell says its host pid and
      // exits. nsenter, not ip netns exec: the holder mounts the node's own /sys itself. A tool that
      // fails before the holder runs says so here: the launcher lives on, no closed pipe tells
      const tag = shellQuote(req.netns);
      return `{ nsenter --net=${shellQuote(`/run/netns/${req.netns}`)} -- unshare --mount --uts --pid --propagation private -- /bin/sh -c "$launch" launch ${args} || echo ${tag} failed $?; } 2>${shellQuote(bootErrors(req))} &`;
    });
    const settle = (p: Pending, e: Error) => {
      this.forget(p, byTag);
      p.reject(e);
    };
    // the launch script once per launcher, each node's line naming it; under the nodes' seccomp filter
    // (seccomp.ts): every node's processes inherit it from the launcher
    this.shell = launcher(NODE_ENV, `launch=${shellQuote(LAUNCH)}\n`);
    this.turns.add(
      batch.map((p, i) => ({
        key: p.req.netns,
        order: p.req.order ?? 0,
        start: () => {
          const tag = p.req.netns;
          if (this.signal?.aborted)
            return settle(p, new InterruptedError(`${p.req.node}: not booted: interrupted`));
          if (this.shell!.ended)
            return settle(p, new Error(`${p.req.node}: the node did not boot: the launcher shell ended`));
          this.shell!.run(
            [lines[i]],
            new Map([
              [
                tag,
                {
                  line: (line) => this.onLine(line, byTag),
                  gone: (why) => {
                    if (!p.startedResolve)
                      settle(p, new Error(`${p.req.node}: the node did not boot: ${why}`));
                    else {
                      this.forget(p, byTag);
                      p.startedResolve({ exitCode: 255 });
                    }
                  },
                },
              ],
            ]),
          );
          // from its own line on: a node waiting for its turn is not late
          setTimeout(() => {
            if (byTag.has(tag) && !p.startedResolve)
              settle(p, new Error(`${p.req.node}: the node did not boot within ${BOOT_LIMIT_S} s`));
          }, BOOT_LIMIT_S * 1000).unref();
        },
      })),
    );
    this.watch(byTag);
  }

  /** A node that has said all it will say. */
  private forget(p: Pending, byTag: Map<string, Pending>): void {
    byTag.delete(p.req.netns);
    this.shell?.forget(p.req.netns);
    this.turns.done(p.req.netns);
  }

  /** A holder or init that ends before it has said ready (or started) fails its node now, not at the
   * timeout: its tools' errors are in its boot error file. Looked at a few times a second, by a signal
   * 0 (a holder that has ended is reaped by the host's init: until then it is a zombie, found next). */
  private watch(byTag: Map<string, Pending>): void {
    const poll = setInterval(() => {
      if (!byTag.size) return clearInterval(poll);
      for (const p of [...byTag.values()]) {
        if (!p.holderPid || pidExists(p.holderPid)) continue;
        if (p.startedResolve) {
          this.forget(p, byTag);
          p.startedResolve({ exitCode: 255 });
        } else {
          this.forget(p, byTag);
          p.reject(new Error(`${p.req.node}: the node did not boot${errorsOf(p.req)}`));
        }
      }
    }, 200);
    poll.unref();
  }

  private onLine(line: string, byTag: Map<string, Pending>): void {
    const m = /^(\S+) (holder|ready|started|failed) (\d+)(?: (\d+))?$/.exec(line);
    const p = m && byTag.get(m[1]);
    if (!m || !p) return;
    const { node, dirs } = p.req;
    if (m[2] === 'failed') {
      // a tool of the boot or a step of the holder failed: before ready, whenever its pid came
      this.forget(p, byTag);
      if (p.startedResolve) p.startedResolve({ exitCode: 255 });
      else p.reject(new Error(`${node}: the node did not boot (exit ${m[3]})${errorsOf(p.req)}`));
    } else if (m[2] === 'holder') {
      p.holderPid = Number(m[3]);
      for (const early of p.early?.splice(0) ?? []) this.onLine(early, byTag);
    } else if (p.holderPid === undefined) {
      p.early = [...(p.early ?? []), line];
    } else if (m[2] === 'ready') {
      // the holder reports namespace pids (it is 1): sshd is found among its children on the host
      const holderPid = p.holderPid ?? 0;
      const sshdPid = holderPid ? (hostPidsOf(holderPid, [Number(m[4])]).get(Number(m[4])) ?? 0) : 0;
      if (!holderPid || !sshdPid) {
        this.forget(p, byTag);
        p.reject(new Error(`${node}: booted, but its holder and sshd were not found on the host`));
        return;
      }
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
      this.turns.done(p.req.netns);
    } else {
      this.forget(p, byTag);
      p.startedResolve?.({ exitCode: Number(m[3]) });
    }
  }
}

/** Where a node's boot writes its errors: beside its fstab, in the node's folder the node never sees. */
const bootErrors = (req: BootRequest) => join(dirname(req.dirs.run), 'boot-errors');

/** The last lines of a node's boot errors, for the message that says it did not boot. */
function errorsOf(req: BootRequest): string {
  try {
    const text = readFileSync(bootErrors(req), 'utf8').trim();
    return text ? `: ${text.split('\n').slice(-5).join('; ')}` : '';
  } catch {
    return '';
  }
}
