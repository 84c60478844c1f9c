// Each node's user namespace. Its root is an unprivileged range of 65536 host ids (as rootless Podman
// and unprivileged LXC map them), and it owns the node's network namespace: root on a node holds every
// capability over its own namespaces (veths, routes, sysctl net.*, `ip netns add` of its own) and none
// over the host's (measured: a user namespace mapping its root to host root still writes
// /proc/sys/vm/swappiness; one mapped to this range is refused). util-linux's unshare and mount make it;
// the maps are written from the host, as newuidmap would, since no /etc/subuid names these ranges.
import { lstatSync, mkdirSync, readdirSync, readlinkSync, rmSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { shellQuote } from '../../shell-quote.js';
import { field } from './fstab.js';

/** Where each node's user namespace is kept (bind-mounted), by its network namespace's name. */
export const USERNS_DIR = process.env.LAB_USERNS_DIR ?? '/run/lab/userns';
/** One symlink per taken id range, naming the network namespace that holds it: taken by creating it. */
const RANGES_DIR = process.env.LAB_UID_RANGES_DIR ?? '/run/lab/uids';
/** Ids per node: the whole 16-bit range, so that daemons' users (frr, sshd, nobody) exist on the node. */
export const ID_COUNT = 65536;
/** The first range starts above the ids a host gives its own users and /etc/subuid's usual 100000. */
const FIRST = 100000 + ID_COUNT;
const SLOTS = Math.floor((2 ** 32 - 2 - FIRST) / ID_COUNT);
/** A range whose namespace never appeared is taken back after this long (a run killed between). */
const STALE_MS = 10 * 60_000;

export const usernsFile = (netns: string) => join(USERNS_DIR, netns);
const baseOf = (slot: number) => FIRST + slot * ID_COUNT;

/** A range no one holds: its namespace gone and its userns file too, and not just being made. */
function abandoned(slot: string): boolean {
  try {
    const holder = readlinkSync(join(RANGES_DIR, slot));
    const age = Date.now() - lstatSync(join(RANGES_DIR, slot)).mtimeMs;
    return age > STALE_MS && !exists(`/run/netns/${holder}`) && !exists(usernsFile(holder));
  } catch {
    return false;
  }
}

const exists = (path: string) => {
  try {
    lstatSync(path);
    return true;
  } catch {
    return false;
  }
};

/** Takes one id range per namespace, host-wide (other state folders, other users of lab): each is a
 * symlink created exclusively, so two runs at once never get the same range. */
export function allocateIdRanges(namespaces: string[]): Map<string, number> {
  mkdirSync(RANGES_DIR, { recursive: true, mode: 0o700 });
  const taken = new Set(readdirSync(RANGES_DIR));
  const out = new Map<string, number>();
  let slot = 0;
  for (const ns of namespaces) {
    for (; slot < SLOTS; slot++) {
      const name = String(slot);
      if (taken.has(name) && !abandoned(name)) continue;
      if (taken.has(name)) rmSync(join(RANGES_DIR, name), { force: true });
      try {
        symlinkSync(ns, join(RANGES_DIR, name));
      } catch {
        continue; // another run took it between the look and now
      }
      out.set(ns, baseOf(slot++));
      break;
    }
    if (!out.has(ns)) throw new Error(`no free user id range left for ${ns} (${RANGES_DIR} is full)`);
  }
  return out;
}

/** Every taken range: the namespace it was taken for, and how long ago. */
export function heldIdRanges(): { holder: string; ageMs: number }[] {
  let slots: string[];
  try {
    slots = readdirSync(RANGES_DIR);
  } catch {
    return [];
  }
  return slots.flatMap((slot) => {
    try {
      const holder = readlinkSync(join(RANGES_DIR, slot));
      return [{ holder, ageMs: Date.now() - lstatSync(join(RANGES_DIR, slot)).mtimeMs }];
    } catch {
      return []; // given back meanwhile
    }
  });
}

/** The network namespaces whose user namespace is kept in USERNS_DIR. */
export function keptUserns(): string[] {
  try {
    return readdirSync(USERNS_DIR);
  } catch {
    return [];
  }
}

/** Gives back the ranges these namespaces held (only if still theirs). */
export function releaseIdRanges(namespaces: string[]): void {
  const ours = new Set(namespaces);
  let slots: string[];
  try {
    slots = readdirSync(RANGES_DIR);
  } catch {
    return;
  }
  for (const slot of slots) {
    try {
      if (ours.has(readlinkSync(join(RANGES_DIR, slot)))) rmSync(join(RANGES_DIR, slot), { force: true });
    } catch {
      // gone already
    }
  }
}

/**
 * Shell lines that make each node's network namespace inside a new user namespace mapped to its range,
 * all at once: each namespace's first process says its index and pid, the host writes its maps; then
 * one `mount -a` keeps every namespace by bind mounts (the netns where `ip netns` looks) and the first
 * processes end. A process per mount cost a 6-node lab ~150 ms here. `fstab` is a scratch file (the
 * caller removes it) and USERNS_DIR exists: no mkdir or rm process on the way.
 */
export function createNamespacesScript(nodes: { netns: string; base: number }[], fstab: string): string[] {
  const each = nodes.map(({ netns, base }, i) => {
    const u = usernsFile(netns);
    const n = `/run/netns/${netns}`;
    const map = shellQuote(`0 ${base} ${ID_COUNT}`);
    const row = (what: string, file: string) =>
      `echo "/proc/$p/ns/${what} "${shellQuote(`${field(file)} none bind 0 0`)} >> "$fstab"`;
    return {
      files: [u, n],
      // the maps first: the namespace is of no use unmapped
      handle: `${i}) echo ${map} > /proc/$p/uid_map && echo ${map} > /proc/$p/gid_map && ${row('user', u)} && ${row('net', n)} || echo ${shellQuote(`failed in ${netns}`)} >&2 ;;`,
    };
  });
  return [
    `: > ${shellQuote(fstab)} || exit 1`,
    `for f in ${each.flatMap((e) => e.files.map(shellQuote)).join(' ')}; do : > "$f" || exit 1; done`,
    '{',
    ...nodes.map(
      (_, i) => `  unshare --user --net -- /bin/sh -c 'echo "$0 $$"; exec sleep 60 >/dev/null' ${i} &`,
    ),
    `} | { fstab=${shellQuote(fstab)}; pids=; n=0`,
    '  while read i p; do',
    '    pids="$pids $p"; n=$((n + 1))',
    '    case $i in',
    ...each.map((e) => `    ${e.handle}`),
    '    esac',
    '  done',
    `  [ $n = ${nodes.length} ] || echo "failed in $((${nodes.length} - n)) of the nodes' namespaces" >&2`,
    '  mount -a -T "$fstab" || echo "failed in mounting the namespaces" >&2',
    '  kill $pids 2>/dev/null',
    '}',
  ];
}

/** Unmounts and removes the kept user namespaces of these network namespaces (run once nothing is in them). */
export function removeUsernsScript(namespaces: string[]): string[] {
  const files = namespaces.map((n) => usernsFile(n)).filter(exists);
  return files.length
    ? [`umount -l ${files.map(shellQuote).join(' ')} 2>/dev/null; rm -f ${files.map(shellQuote).join(' ')}`]
    : [];
}
