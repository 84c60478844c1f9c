// Preflight lists everything the host lacks at once, with what installs it.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { PreflightError } from '../../src/errors.js';
import { openLab } from '../../src/model/open.js';
import { needsOf, verifyHost } from '../../src/providers/netns/preflight.js';
import { labFile } from '../helpers/labs.js';

// a host with no program at all: the preflight looks for programs with accessSync
const bareHost = vi.hoisted(() => ({ on: false }));
vi.mock('node:fs', async (importOriginal) => {
  const fs = await importOriginal<typeof import('node:fs')>();
  return {
    ...fs,
    accessSync: (...a: Parameters<typeof fs.accessSync>) => {
      if (bareHost.on) throw new Error(`ENOENT: ${a[0]}`);
      return fs.accessSync(...a);
    },
  };
});

describe('preflight', () => {
  afterEach(() => {
    vi.restoreAllMocks();
    bareHost.on = false;
  });

  it('asks for what each lab runs', () => {
    const whats = (name: string, sets: string[] = []) =>
      needsOf(openLab(labFile(name), sets).lab).map((n) => n.what);
    expect(whats('bgp-metallb')).toEqual(
      expect.arrayContaining(['the command bird', 'the command nginx', 'the command sshd']),
    );
    expect(whats('bgp-metallb')).not.toContain('the command bgpd');
    expect(whats('bgp-metallb', ['speaker=frr'])).toContain('the command bgpd');
    expect(whats('multi-coe-calico')).toEqual(
      expect.arrayContaining(['the command gobgpd', 'the command bird']),
    );
  });

  it('names everything missing in one error, with one install line', () => {
    vi.spyOn(process, 'getuid').mockReturnValue(1000);
    bareHost.on = true;
    const { lab } = openLab(labFile('bgp-metallb'));
    let error: PreflightError | undefined;
    try {
      verifyHost(lab);
    } catch (e) {
      error = e as PreflightError;
    }
    expect(error).toBeInstanceOf(PreflightError);
    expect(error!.exitCode).toBe(3);
    // written by hand: root, the provider's own programs, bgp-metallb's daemons and its checks' tools
    expect(error!.message).toBe('this host cannot run bgp-metallb yet: 13 things missing');
    expect(error!.details).toEqual([
      '  - root (namespaces, links and mounts need it): run as root, e.g. sudo npx lab up ...',
      '  - the command ip: apt-get install -y iproute2',
      '  - the command nsenter: apt-get install -y util-linux',
      '  - the command unshare: apt-get install -y util-linux',
      '  - the command setpriv: apt-get install -y util-linux',
      '  - the command nft: apt-get install -y nftables',
      "  - libseccomp's Python module (every node runs under a seccomp filter: docs/sandbox.md): apt-get install -y python3-seccomp",
      '  - the command sshd: apt-get install -y openssh-server',
      '  - the command ssh: apt-get install -y openssh-client',
      '  - the command bird: apt-get install -y bird2',
      '  - the command birdc: apt-get install -y bird2',
      '  - the command nginx: apt-get install -y nginx-light',
      '  - the command curl: apt-get install -y curl',
      'install them all: apt-get update && apt-get install -y iproute2 util-linux nftables python3-seccomp openssh-server openssh-client bird2 nginx-light curl',
    ]);
  });
});
