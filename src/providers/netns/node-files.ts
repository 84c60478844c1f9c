// What a node's own /etc holds on top of the host's: its name, hosts, sshd with its own host key,
// the rendered files of its roles, and a copy of the host's /etc folders (folders only). Written to the
// overlay's upper layer before the node boots, and owned by the node's id range (userns.ts): root of the
// node is root of these, and nobody's of the host's.
import {
  chmodSync,
  chownSync,
  type Dirent,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  writeFileSync,
} from 'node:fs';
import { dirname, isAbsolute, join, relative } from 'node:path';
import type { RenderedFile } from '../../contracts/role.js';
import { firstAddressOf } from '../../core/addressing.js';
import type { Lab, Node } from '../../core/lab.js';
import { renderTemplate } from '../../core/templates.js';
import { ID_COUNT } from './userns.js';

export interface NodeDirs {
  /** Upper layer of the node's /etc overlay. */
  etc: string;
  work: string;
  /** Bound onto the node's /var/log, /run and /root: private to the node, readable from the host. */
  log: string;
  run: string;
  root: string;
  /** Upper layer and work folder of the node's /var overlay. */
  varUpper: string;
  varWork: string;
}

/** Where the node finds its start script: in its own /run. */
export const START_SCRIPT = '/run/lab-start.sh';

export function nodeDirs(instanceDir: string, node: string): NodeDirs {
  const base = join(instanceDir, 'nodes', node);
  const at = (d: string) => join(base, d);
  return {
    etc: at('etc'),
    work: at('.overlay-work'),
    log: at('log'),
    run: at('run'),
    root: at('root'),
    varUpper: at('var'),
    varWork: at('.var-work'),
  };
}

function hostsFile(lab: Lab, node: Node): string {
  const lines = ['127.0.0.1 localhost', `127.0.1.1 ${node.name}`];
  for (const n of lab.nodes) {
    const address = firstAddressOf(n);
    if (address) lines.push(`${address} ${n.name}`);
  }
  return `${lines.join('\n')}\n`;
}

/** The node's own /etc/shadow: the host's users, every password locked out ('*': keys only), and none
 * of the host's hashes (which root on a node cannot read: the host's file is not in its range). */
let shadow: string | undefined;
function shadowFile(): string {
  shadow ??= readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .filter((l) => l.includes(':'))
    .map((l) => `${l.slice(0, l.indexOf(':'))}:*:::::::\n`)
    .join('');
  return shadow;
}

/** Who owns a path of the node's /etc: the host's owner of the same path (/etc/frr stays frr's), shifted
 * into the node's range; root of the node where the host has none or one outside the range. */
function ownerIn(hostPath: string, base: number): [number, number] {
  try {
    const st = lstatSync(hostPath);
    return [base + (st.uid < ID_COUNT ? st.uid : 0), base + (st.gid < ID_COUNT ? st.gid : 0)];
  } catch {
    return [base, base];
  }
}

interface HostFolder {
  path: string;
  uid: number;
  gid: number;
  mode: number;
}

/** The folders under a host folder anyone may enter (so may their parents), each with its owner and
 * mode, read once. A folder only some host users may enter (/etc/ssl/private, /etc/libvirt/secrets) is
 * left out with all below it: the host's, it stays out of the node's reach. */
const hostFolderTrees = new Map<string, HostFolder[]>();
function hostFolders(top: string): HostFolder[] {
  const known = hostFolderTrees.get(top);
  if (known) return known;
  const out: HostFolder[] = [];
  const walk = (dir: string) => {
    let entries: Dirent[];
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      if (!e.isDirectory()) continue; // a symlink to a folder is the host's file, followed in the lower layer
      const path = `${dir}/${e.name}`;
      try {
        const st = lstatSync(path);
        if (!(st.mode & 0o001)) continue;
        out.push({ path, uid: st.uid, gid: st.gid, mode: st.mode & 0o7777 });
        walk(path);
      } catch {
        // gone meanwhile
      }
    }
  };
  walk(top);
  hostFolderTrees.set(top, out);
  return out;
}

/** A host folder's folders (/etc's), made in the node's upper layer of it with their owners shifted
 * into its range: the overlay shows a folder with its upper layer's owner, so root on the node writes
 * in them (a VM step's `> /etc/sysctl.d/60-x.conf`, `install -d /etc/apt/keyrings`) as on a machine of
 * its own, where it got Permission denied in a folder of the host's root (an id its user namespace does
 * not map). The host's files in them stay the host's: read-only, and unreadable where the host keeps
 * them from others (its SSH host keys, /etc/gshadow); what the node writes, replaces or removes is its
 * upper layer's. Synchronous: ~2 ms a node for /etc's ~170 folders on its tmpfs, where the thread
 * pool's calls cost 8 ms of CPU. */
export function copyHostFolders(top: string, upper: string, base: number): void {
  const umask = process.umask();
  const shift = (id: number) => base + (id < ID_COUNT ? id : 0);
  // parents first: each folder is made once, with its own mode
  for (const f of hostFolders(top)) {
    const target = join(upper, f.path.slice(top.length + 1));
    try {
      mkdirSync(target, { mode: f.mode });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    chownSync(target, shift(f.uid), shift(f.gid));
    // mkdir's mode passes the umask; chown clears set-id bits
    if (f.mode & (umask | 0o7000)) chmodSync(target, f.mode);
  }
}

/** Makes a folder (mode 755); false when it was there already. */
function mkdirIfMissing(path: string): boolean {
  try {
    mkdirSync(path, { mode: 0o755 });
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw e;
  }
}

type FileToWrite = [path: string, content: string, mode: number];

/** Writes files under the node's /etc (upper layer) with their owners shifted into its range, then
 * chowns the folders below /etc they are in as the host has them. Synchronous, as copyHostFolders: five
 * calls a file, where the thread pool's cost more CPU than the work (a node's files: 2.8-3.2 ms of CPU,
 * 4.7 through the pool, by hand in the same hour). */
function putEtcFiles(node: string, dirs: NodeDirs, idBase: number, files: FileToWrite[]): void {
  for (const [path, content, mode] of files) {
    if (!path.startsWith('/etc/'))
      throw new Error(`${node}: ${path}: the netns provider places files under /etc only`);
    const target = join(dirs.etc, path.slice('/etc/'.length));
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, content, { mode });
    chmodSync(target, mode); // the umask must not loosen a key's mode
    chownSync(target, ...ownerIn(path, idBase));
  }
  for (const d of new Set(files.flatMap(([path]) => ancestorsUnderEtc(path))))
    chownSync(join(dirs.etc, d.slice('/etc/'.length)), ...ownerIn(d, idBase));
}

/** What makes the node a machine of its own, whatever its roles: its folders, its copy of /etc's
 * folders, name, hosts, sshd with its own host key, shadow. Written while the network is being made
 * (network.ts), once its folder is mounted: off the way from the network to the boot. */
export function writeNodeBase(opts: {
  lab: Lab;
  node: Node;
  dirs: NodeDirs;
  managementAddress: string;
  /** The key lab pins (ECDSA, keys.ts), and the ed25519 key every machine has. */
  hostKey: { privateKey: string; publicKey: string };
  ed25519HostKey: { privateKey: string; publicKey: string };
  authorizedKey: string;
  /** The first host id of the node's range: its root. */
  idBase: number;
}): void {
  const { lab, node, dirs, idBase } = opts;
  // sshd wants its privilege separation folder in /run
  for (const d of [
    dirs.etc,
    dirs.work,
    dirs.log,
    join(dirs.run, 'sshd'),
    dirs.root,
    dirs.varUpper,
    dirs.varWork,
  ])
    mkdirSync(d, { recursive: true });
  chmodSync(dirs.root, 0o700);
  copyHostFolders('/etc', dirs.etc, idBase);
  putEtcFiles(node.name, dirs, idBase, [
    ['/etc/hostname', `${node.name}\n`, 0o644],
    ['/etc/hosts', hostsFile(lab, node), 0o644],
    [
      '/etc/ssh/sshd_config',
      renderTemplate('sshd/sshd_config.njk', { node: node.name, address: opts.managementAddress }),
      0o644,
    ],
    // the key lab pins, by a name of its own (as lab_authorized_keys): the host's ECDSA and RSA keys stay
    // the host's, unreadable
    ['/etc/ssh/lab_host_ecdsa_key', opts.hostKey.privateKey, 0o600],
    ['/etc/ssh/lab_host_ecdsa_key.pub', `${opts.hostKey.publicKey}\n`, 0o644],
    // and an ed25519 key where a VM has one (where Vagrant's reach reads it: the fake vagrant plays VMs with
    // nodes), which OpenSSH clients that know no other key of the node may use
    ['/etc/ssh/ssh_host_ed25519_key', opts.ed25519HostKey.privateKey, 0o600],
    ['/etc/ssh/ssh_host_ed25519_key.pub', `${opts.ed25519HostKey.publicKey}\n`, 0o644],
    ['/etc/ssh/lab_authorized_keys', `${opts.authorizedKey}\n`, 0o600],
    ['/etc/shadow', shadowFile(), 0o640],
  ]);
  // the node's own root-owned folders
  for (const d of [dirs.etc, dirs.log, dirs.run, join(dirs.run, 'sshd'), dirs.root, dirs.varUpper])
    chownSync(d, idBase, idBase);
}

/** What this run's roles give the node: their rendered files and its start script (writeNodeBase first). */
export function writeNodeRoles(opts: {
  node: Node;
  dirs: NodeDirs;
  files: RenderedFile[];
  startScript: string;
  idBase: number;
  /** Folders under /run its daemons need: made here, owned by the node's root, as a mkdir on it would. */
  runDirs?: string[];
}): void {
  const { node, dirs, idBase } = opts;
  const startScript = join(dirs.run, START_SCRIPT.slice('/run/'.length));
  for (const d of opts.runDirs ?? []) {
    const rel = relative('/run', d);
    if (!rel || rel.startsWith('..') || isAbsolute(rel)) continue; // not under /run: the script makes it
    let made = dirs.run;
    for (const part of rel.split('/')) {
      made = join(made, part);
      if (mkdirIfMissing(made)) chownSync(made, idBase, idBase);
    }
  }
  putEtcFiles(
    node.name,
    dirs,
    idBase,
    opts.files.map((f): FileToWrite => [f.path, f.content, f.mode ?? 0o644]),
  );
  writeFileSync(startScript, opts.startScript, { mode: 0o700 });
  chownSync(startScript, idBase, idBase);
}

/** /etc/a/b/c's folders below /etc: /etc/a and /etc/a/b. */
function ancestorsUnderEtc(path: string): string[] {
  const out: string[] = [];
  for (let d = dirname(path); d.startsWith('/etc/'); d = dirname(d)) out.push(d);
  return out;
}
