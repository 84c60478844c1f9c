// Booting a node: a holder process keeps its mount and UTS namespaces alive (private /run and /root,
// its own /etc layered over the host's, its hostname) and starts its sshd.
import { spawn } from 'node:child_process';
import type { Journal } from '../../engine/journal.js';
import { startTimeOf } from '../../engine/processes.js';
import type { NodeDirs } from './node-files.js';

// Runs inside the node's fresh namespaces; paths and the name come in as arguments, never pasted in.
const HOLDER = `set -e
mount -t tmpfs -o mode=0755,size=64m lab-run /run
mkdir -p /run/sshd
mount -t overlay lab-etc -o "lowerdir=/etc,upperdir=$1,workdir=$2" /etc
mount --bind "$3" /var/log
mount -t tmpfs -o mode=0700,size=16m lab-root /root
hostname "$4"
/usr/sbin/sshd -D -f /etc/ssh/sshd_config -E /var/log/sshd.log </dev/null >/dev/null 2>&1 &
echo "ready $!"
exec sleep infinity </dev/null >/dev/null 2>&1`;

export interface BootedNode {
  holderPid: number;
  sshdPid: number;
}

/** Starts the node's holder and sshd; resolves once both run, with their pids in the journal. */
export function bootNode(node: string, netns: string, dirs: NodeDirs, journal: Journal): Promise<BootedNode> {
  const holderId = `process:${node}:holder`;
  const sshdId = `process:${node}:sshd`;
  journal.record({ kind: 'process', id: holderId, node, name: 'holder' });
  journal.record({ kind: 'process', id: sshdId, node, name: 'sshd' });
  const child = spawn(
    'ip',
    [
      'netns',
      'exec',
      netns,
      'unshare',
      '--uts',
      '--mount',
      '--propagation',
      'private',
      '--',
      '/bin/sh',
      '-c',
      HOLDER,
      'holder',
      dirs.etc,
      dirs.work,
      dirs.log,
      node,
    ],
    { detached: true, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const holderPid = child.pid!;
  journal.update({ id: holderId, pid: holderPid, starttime: startTimeOf(holderPid) });
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    const timer = setTimeout(() => fail(new Error(`${node}: the node did not boot within 10 s`)), 10_000);
    const fail = (e: Error) => {
      clearTimeout(timer);
      reject(new Error(`${e.message}${err.trim() ? `: ${err.trim()}` : ''}`));
    };
    child.stderr.on('data', (d) => {
      err += d;
    });
    child.stdout.on('data', (d) => {
      out += d;
      const m = /ready (\d+)/.exec(out);
      if (!m) return;
      clearTimeout(timer);
      const sshdPid = Number(m[1]);
      journal.update({ id: sshdId, pid: sshdPid, starttime: startTimeOf(sshdPid) });
      child.stdout.destroy();
      child.stderr.destroy();
      child.unref();
      resolve({ holderPid, sshdPid });
    });
    child.on('error', fail);
    child.on('exit', (code) =>
      fail(new Error(`${node}: the node's holder exited with ${code} while booting`)),
    );
  });
}
