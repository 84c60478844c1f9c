// An instance's state folder: instance.json, the journal, the event log, SSH keys and how to reach each node.
import { chmodSync, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BusyError, NotUpError, PreflightError } from '../errors.js';
import { makeStateDir } from '../host/fs.js';
import { isAlive } from '../host/processes.js';
import { instanceFlag } from '../names.js';
import type { SshTarget } from '../transport/ssh.js';
import { type InstanceRecord, instanceDir, isCrashed, readInstance } from './instances.js';
import { Journal } from './journal.js';
import { lockOwner } from './lock.js';
import { foreignEntries, markStateRoot, someNames } from './state-root.js';

export const files = (dir: string) => ({
  instance: join(dir, 'instance.json'),
  journal: join(dir, 'journal.jsonl'),
  events: join(dir, 'events.jsonl'),
  sshDir: join(dir, 'ssh'),
  userKey: join(dir, 'ssh', 'id_ed25519'),
  knownHosts: join(dir, 'ssh', 'known_hosts'),
  targets: join(dir, 'ssh', 'nodes.json'),
  sshConfig: join(dir, 'ssh', 'config'),
});

export function writeInstance(record: InstanceRecord): void {
  writeFileSync(files(record.dir).instance, `${JSON.stringify(record, null, 2)}\n`);
}

/** Refuses to remove, as a crash's leftover, a folder holding what lab never writes there: with
 * LAB_STATE_DIR=/ and a lab named etc, up and down of its instance default removed /etc/default. */
export function refuseForeignFolder(dir: string): void {
  const foreign = foreignEntries(dir);
  if (foreign.length)
    throw new PreflightError(
      `${dir} is no instance folder lab made: it holds ${someNames(foreign)}, which lab never writes there`,
      {
        code: 'state-unwritable',
        details: [
          'lab removes only folders it made, and left this one as it was. Set LAB_STATE_DIR to a folder of its own (default ~/.local/state/lab), or move these files away.',
        ],
      },
    );
}

/** A folder for a new instance; refuses when the instance exists (up, starting, or left by a crash). */
export function createInstanceDir(lab: string, instance: string): string {
  const dir = instanceDir(lab, instance);
  const existing = readInstance(dir);
  if (existing && isCrashed(existing)) {
    // not "present, status starting": nothing starts it any more, and what it made is still on the host
    const run = existing.status === 'starting' ? 'lab up' : 'lab down';
    const owner = existing.ownerPid ? ` (pid ${existing.ownerPid} is gone)` : '';
    throw new BusyError(
      `${lab} (instance ${instance}) is left over from a ${run} that ended before it finished${owner}`,
      {
        details: [
          `Remove what it left with lab down ${lab}${instanceFlag(instance)} (lab gc removes every crashed run's leftovers), then up again; or start another copy beside it with --instance NAME.`,
        ],
      },
    );
  }
  if (existing) {
    const owner =
      existing.ownerPid && existing.status === 'starting' && isAlive(existing.ownerPid)
        ? ` (lab up, pid ${existing.ownerPid}, is still starting it)`
        : '';
    throw new BusyError(
      `${lab} (instance ${instance}) is already ${existing.status === 'up' ? 'up' : `present, status ${existing.status}`}${owner}`,
      {
        details: [
          `Use it (lab check ${lab}${instanceFlag(instance)}, lab ssh ${lab}${instanceFlag(instance)} NODE), remove it first (lab down ${lab}${instanceFlag(instance)}), or start another copy beside it with --instance NAME.`,
        ],
      },
    );
  }
  refuseForeignFolder(dir);
  rmSync(dir, { recursive: true, force: true }); // leftovers without instance.json hold nothing running
  makeStateDir(join(dir, 'ssh'), 'the state folder', 0o700);
  chmodSync(join(dir, 'ssh'), 0o700);
  markStateRoot();
  return dir;
}

export function journalOf(dir: string): Journal {
  return new Journal(files(dir).journal);
}

/** Saves how to reach every node: pinned host keys, the user key, and an OpenSSH config. */
export function saveTargets(dir: string, targets: SshTarget[], userKey: string): void {
  const f = files(dir);
  if (userKey) writeFileSync(f.userKey, userKey, { mode: 0o600 }); // Vagrant's machines have keys of their own
  writeFileSync(
    f.targets,
    JSON.stringify(
      targets.map(({ node, host, hostKey, port, user, identityFile }) => ({
        node,
        host,
        hostKey,
        port,
        user,
        identityFile,
      })),
      null,
      2,
    ),
  );
  writeFileSync(
    f.knownHosts,
    targets
      .map(
        (t) =>
          `${t.port && t.port !== 22 ? `[${t.host}]:${t.port}` : t.host} ${t.hostKey.split(' ').slice(0, 2).join(' ')}\n`,
      )
      .join(''),
  );
  writeFileSync(f.sshConfig, sshConfig(dir, targets));
}

export function sshConfig(
  dir: string,
  targets: Pick<SshTarget, 'node' | 'host' | 'port' | 'user' | 'identityFile'>[],
): string {
  const f = files(dir);
  return targets
    .map((t) =>
      [
        `Host ${t.node}`,
        `  HostName ${t.host}`,
        ...(t.port && t.port !== 22 ? [`  Port ${t.port}`] : []),
        `  User ${t.user ?? 'root'}`,
        `  IdentityFile ${t.identityFile ?? f.userKey}`,
        '  IdentitiesOnly yes',
        `  UserKnownHostsFile ${f.knownHosts}`,
        '  StrictHostKeyChecking yes',
        '  GlobalKnownHostsFile /dev/null',
        '  LogLevel ERROR',
        '',
      ].join('\n'),
    )
    .join('\n');
}

/** The nodes of an instance and their management addresses, without reading its key (lab status
 * lists instances of other state folders, whose key may be unreadable or gone). */
export function loadNodes(dir: string): { node: string; host: string }[] {
  const f = files(dir);
  try {
    return (JSON.parse(readFileSync(f.targets, 'utf8')) as { node: string; host: string }[]).map(
      ({ node, host }) => ({ node, host }),
    );
  } catch {
    return [];
  }
}

export function loadTargets(dir: string): SshTarget[] {
  const f = files(dir);
  if (!existsSync(f.targets)) return [];
  const own = existsSync(f.userKey) ? readFileSync(f.userKey, 'utf8') : '';
  return (JSON.parse(readFileSync(f.targets, 'utf8')) as Omit<SshTarget, 'privateKey'>[]).map((t) => ({
    ...t,
    // a machine's own key (Vagrant) may be gone with its project: connecting then fails, listing does not
    privateKey: t.identityFile
      ? existsSync(t.identityFile)
        ? readFileSync(t.identityFile, 'utf8')
        : ''
      : own,
  }));
}

/** The running instance, or an error that says how to start it. */
export function requireInstance(lab: string, instance: string): InstanceRecord {
  // a lab up still starting it, or a lab down removing it: nothing to look at yet (exit 6)
  const owner = lockOwner(lab, instance);
  if (owner && (owner.command === 'up' || owner.command === 'down'))
    throw new BusyError(
      `${lab} (instance ${instance}) is busy: lab ${owner.command} (pid ${owner.pid}) is working on it`,
      { details: ['Try again when it has finished.'] },
    );
  const dir = instanceDir(lab, instance);
  const record = readInstance(dir);
  if (!record && (existsSync(join(dir, 'instance.json')) || existsSync(join(dir, 'journal.jsonl'))))
    // up perhaps, but nothing can be known of it: said as such, not as "not up"
    throw new NotUpError(
      `${lab} (instance ${instance}) cannot be used: ${join(dir, 'instance.json')} is ${existsSync(join(dir, 'instance.json')) ? 'damaged' : 'missing'}`,
      {
        details: [`lab down ${lab}${instanceFlag(instance)} removes it (found on the host by its names).`],
      },
    );
  if (!record) {
    throw new NotUpError(`${lab} (instance ${instance}) is not up`, {
      details: [`Start it with: lab up ${lab}${instanceFlag(instance)}`],
    });
  }
  return record;
}
