// The workshop's SSH gateway, for real, as root: two attendees' instances of bgp-metallb, the gateway
// in this process, and plain OpenSSH as an attendee runs it from a laptop. Attendee 1's key reaches
// attendee 1's nodes (ProxyJump, the config the page offers, the plain login's NODE [CMD] form and
// its menu) and nothing else: not attendee 2's nodes, not an address or another port, not the host's
// shell, no port forwarding; attendee 2's key is refused as attendee 1.
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { type AddressInfo, connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadTargets } from '../../src/engine/state.js';
import {
  attendeeSshConfig,
  type Gateway,
  type GatewayAttendee,
  type GatewayEvent,
  publicKeyOf,
  startGateway,
} from '../../src/serve/gateway/index.js';
import { labCli } from '../helpers/cli.js';
import { leftovers } from '../helpers/host.js';
import { isRoot } from '../helpers/labs.js';

const prefix = `ss${process.pid % 10000}`;
const names = [`${prefix}-1`, `${prefix}-2`];

describe.skipIf(!isRoot)('lab serve: the SSH gateway with real OpenSSH', () => {
  const state = mkdtempSync(join(tmpdir(), 'lab-serve-gateway-'));
  const lab = labCli(state);
  const dirOf = (i: number) => join(state, 'bgp-metallb', names[i]);
  const keyOf = (i: number) => join(dirOf(i), 'ssh', 'id_ed25519');
  const hostKeyPath = join(state, 'gateway', 'host_ed25519');
  const events: GatewayEvent[] = [];
  let gw: Gateway;
  let attendees: GatewayAttendee[];

  // attendee i+1's files on their "laptop": the config and known_hosts the page offers
  const laptop = (i: number) => {
    const targets = attendees[i].targets();
    const kh = join(state, `attendee-${i + 1}.known_hosts`);
    const { config, knownHosts } = attendeeSshConfig({
      user: attendees[i].user,
      gatewayHost: '127.0.0.1',
      gatewayPort: gw.port,
      gatewayHostKey: gw.hostKey,
      targets,
      identityFile: keyOf(i),
      knownHostsFile: kh,
    });
    const file = join(state, `attendee-${i + 1}.config`);
    writeFileSync(file, config);
    writeFileSync(kh, knownHosts);
    return file;
  };
  /** Options for `ssh -p Q USER@127.0.0.1`: key i, the gateway's key pinned, nothing asked. */
  const direct = (i: number, g = gw) => {
    const kh = join(state, `gateway-${g.port}.known_hosts`);
    writeFileSync(kh, `[127.0.0.1]:${g.port} ${g.hostKey}\n`);
    return [
      '-F',
      '/dev/null',
      '-o',
      'BatchMode=yes',
      '-o',
      'IdentitiesOnly=yes',
      '-o',
      `UserKnownHostsFile=${kh}`,
      '-o',
      'StrictHostKeyChecking=yes',
      '-o',
      'ConnectTimeout=10',
      '-i',
      keyOf(i),
      '-p',
      String(g.port),
    ];
  };
  const ssh = (args: string[], input?: string) =>
    execa('ssh', args, { reject: false, timeout: 30_000, ...(input !== undefined ? { input } : {}) });
  const addressOf = (i: number, node: string) => attendees[i].targets().find((t) => t.node === node)!.host;

  beforeAll(async () => {
    const up = await lab(['up', 'bgp-metallb', '--instances', '2', '--prefix', prefix, '--to', '0'], {
      timeout: 180_000,
    });
    expect(up.exitCode, up.all).toBe(0);
    attendees = [0, 1].map((i) => ({
      user: `attendee-${i + 1}`,
      authorizedKey: publicKeyOf(readFileSync(keyOf(i), 'utf8')),
      targets: () => loadTargets(dirOf(i)),
      link: JSON.parse(readFileSync(join(dirOf(i), 'instance.json'), 'utf8')).link,
    }));
    gw = await startGateway({
      listen: '127.0.0.1',
      port: 0,
      hostKeyPath,
      attendees: () => attendees,
      onEvent: (e) => events.push(e),
    });
  }, 200_000);

  afterAll(async () => {
    await gw?.close();
    const down = await lab(['down', 'bgp-metallb', '--instances', '2', '--prefix', prefix]);
    expect(down.exitCode, down.all).toBe(0);
    for (const n of names)
      expect(leftovers(`lab.bgp-metallb.${n}.`)).toEqual({ namespaces: [], links: [], mounts: [] });
    rmSync(state, { recursive: true, force: true });
  }, 120_000);

  it('keeps its own ed25519 host key, readable by root only', () => {
    expect(statSync(hostKeyPath).mode & 0o777).toBe(0o600);
    expect(gw.hostKey).toMatch(/^ssh-ed25519 AAAA/);
    expect(readFileSync(hostKeyPath, 'utf8')).toMatch(/BEGIN OPENSSH PRIVATE KEY/);
  });

  it("ssh -J attendee-1@HOST:Q root@router reaches attendee 1's router (its pinned host key)", async () => {
    // -o options do not reach the jump's own ssh: a config does (-F is passed on), as on a laptop
    const kh = join(state, 'jump.known_hosts');
    const router = attendees[0].targets().find((t) => t.node === 'router')!;
    writeFileSync(kh, `[127.0.0.1]:${gw.port} ${gw.hostKey}\nrouter ${router.hostKey}\n`);
    const cfg = join(state, 'jump.config');
    writeFileSync(
      cfg,
      [
        'Host *',
        `  IdentityFile ${keyOf(0)}`,
        '  IdentitiesOnly yes',
        `  UserKnownHostsFile ${kh}`,
        '  GlobalKnownHostsFile /dev/null',
        '  StrictHostKeyChecking yes',
        '  BatchMode yes',
        '',
      ].join('\n'),
    );
    const r = await ssh(['-F', cfg, '-J', `attendee-1@127.0.0.1:${gw.port}`, 'root@router', 'hostname']);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout.trim()).toBe('router');
    expect(events).toContainEqual({ user: 'attendee-1', kind: 'jump', node: 'router' });
  });

  it("the config the page offers works as is: ssh -F it NODE, for each attendee's own nodes", async () => {
    for (const i of [0, 1]) {
      const r = await ssh(['-F', laptop(i), '-o', 'BatchMode=yes', 'router', 'ip -4 -o addr show']);
      expect(r.exitCode, r.stderr).toBe(0);
      // the router of this attendee's instance: its management address, not the other's
      expect(r.stdout).toContain(`${addressOf(i, 'router')}/`);
      expect(r.stdout).not.toContain(`${addressOf(1 - i, 'router')}/`);
    }
  });

  it('the plain login opens a node by name: NODE CMD runs it, NODE alone a shell reading stdin', async () => {
    const cmd = await ssh([...direct(0), 'attendee-1@127.0.0.1', 'client', 'hostname']);
    expect(cmd.exitCode, cmd.stderr).toBe(0);
    expect(cmd.stdout.trim()).toBe('client');
    const shell = await ssh([...direct(0), 'attendee-1@127.0.0.1', 'router'], 'hostname\nexit 3\n');
    expect(shell.stdout.trim()).toBe('router');
    expect(shell.exitCode).toBe(3); // the node's exit status comes back
  });

  it('the plain login on a terminal offers a menu of their nodes, and a node picked there', async () => {
    const r = await execa('ssh', ['-tt', ...direct(0), 'attendee-1@127.0.0.1'], {
      reject: false,
      timeout: 30_000,
      input: Readable.from(
        (async function* () {
          const wait = (ms: number) => new Promise((res) => setTimeout(res, ms));
          await wait(1500);
          yield 'nosuch\r';
          await wait(500);
          // the answer and the first command at once: what follows the answer reaches the node's shell
          yield 'router\rhostname; exit\r';
        })(),
      ),
    });
    expect(r.stdout).toMatch(/attendee-1: your nodes/);
    expect(r.stdout).toMatch(/\d\) router/);
    expect(r.stdout).toMatch(/no node 'nosuch' here/);
    expect(r.stdout).toMatch(/^router\r?$/m);
  });

  it("attendee 1 naming attendee 2's node (by address), any address, or port 80 is refused", async () => {
    const jump = (dest: string) => ssh([...direct(0), '-W', dest, 'attendee-1@127.0.0.1'], '');
    for (const dest of [
      `${addressOf(1, 'router')}:22`, // attendee 2's router
      `${addressOf(0, 'router')}:22`, // even their own router's address: names only
      '127.0.0.1:22',
      'router:80',
      'nosuchnode:22',
    ]) {
      const r = await jump(dest);
      expect(r.exitCode, dest).toBe(255);
      expect(r.stderr, dest).toMatch(/open failed/);
    }
    const exec = await ssh([...direct(0), 'attendee-1@127.0.0.1', addressOf(1, 'router'), 'hostname']);
    expect(exec.exitCode).toBe(1);
    expect(exec.stdout).toBe('');
    expect(exec.stderr).toMatch(/no node '[\d.]+' here; yours: .*router/);
  });

  it("attendee 2's key is refused as attendee-1 (and works as attendee-2), so is an unknown user", async () => {
    const wrong = await ssh([...direct(1), 'attendee-1@127.0.0.1', 'router', 'hostname']);
    expect(wrong.exitCode).toBe(255);
    expect(wrong.stderr).toMatch(/Permission denied \(publickey\)/);
    const own = await ssh([...direct(1), 'attendee-2@127.0.0.1', 'router', 'ip -4 -o addr show']);
    expect(own.exitCode, own.stderr).toBe(0);
    expect(own.stdout).toContain(`${addressOf(1, 'router')}/`);
    const root = await ssh([...direct(0), 'root@127.0.0.1', 'router', 'hostname']);
    expect(root.exitCode).toBe(255);
    expect(root.stderr).toMatch(/Permission denied \(publickey\)/);
    const password = await ssh([
      ...direct(0),
      '-o',
      'PubkeyAuthentication=no',
      '-o',
      'PasswordAuthentication=yes',
      '-o',
      'KbdInteractiveAuthentication=yes',
      'attendee-1@127.0.0.1',
      'router',
    ]);
    expect(password.exitCode).toBe(255);
    expect(password.stderr).toMatch(/Permission denied \(publickey\)/);
  });

  it('-R is refused, and -L elsewhere than their node names opens nothing', async () => {
    const remote = await ssh([
      ...direct(0),
      '-N',
      '-o',
      'ExitOnForwardFailure=yes',
      '-R',
      '0:127.0.0.1:22',
      'attendee-1@127.0.0.1',
    ]);
    expect(remote.exitCode).toBe(255);
    expect(remote.stderr).toMatch(/remote port forwarding failed/);
    // -L to attendee 2's router: the local port accepts, the gateway refuses the channel
    const port = await new Promise<number>((resolve) => {
      const probe = createServer().listen(0, '127.0.0.1', () => {
        const p = (probe.address() as AddressInfo).port;
        probe.close(() => resolve(p));
      });
    });
    const local = execa(
      'ssh',
      [...direct(0), '-N', '-L', `127.0.0.1:${port}:${addressOf(1, 'router')}:22`, 'attendee-1@127.0.0.1'],
      { reject: false, timeout: 30_000 },
    );
    try {
      let got = '';
      for (let t = 0; t < 50 && !got; t++) {
        got = await new Promise<string>((resolve) => {
          const s = connect(port, '127.0.0.1');
          let data = '';
          s.on('data', (d) => {
            data += d;
          });
          s.on('error', () => resolve(''));
          s.on('close', () => resolve(data || 'closed'));
          setTimeout(() => s.destroy(), 3000);
        });
        if (!got) await new Promise((r) => setTimeout(r, 200));
      }
      expect(got).toBe('closed'); // no SSH banner of anyone's router: closed empty
    } finally {
      local.kill();
      await local;
    }
    expect(events).toContainEqual(
      expect.objectContaining({ user: 'attendee-1', kind: 'refused-tcpip-forward' }),
    );
  });

  it('agent and X11 forwarding are refused (the node command still runs)', async () => {
    // ssh-agent runs ssh and ends with it: an agent to forward, of this test's own
    const r = await execa(
      'ssh-agent',
      [
        'ssh',
        '-A',
        '-X',
        ...direct(0),
        'attendee-1@127.0.0.1',
        'router',
        'echo "agent:$SSH_AUTH_SOCK display:$DISPLAY"',
      ],
      { reject: false, timeout: 30_000, env: { DISPLAY: '127.0.0.1:99' } },
    );
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout.trim()).toBe('agent: display:');
    expect(events).toContainEqual({ user: 'attendee-1', kind: 'refused-auth-agent' });
    expect(events).toContainEqual({ user: 'attendee-1', kind: 'refused-x11' });
  });

  it("no shell on the host: no command of the host's, ssh -T is told to name a node", async () => {
    for (const cmd of ['hostname', 'sh -c id', '/bin/bash']) {
      const r = await ssh([...direct(0), 'attendee-1@127.0.0.1', cmd]);
      expect(r.exitCode, cmd).toBe(1);
      expect(r.stdout, cmd).toBe('');
      expect(r.stderr, cmd).toMatch(/no node '.*' here/);
    }
    const t = await ssh([...direct(0), '-T', 'attendee-1@127.0.0.1'], '');
    expect(t.exitCode).toBe(2);
    expect(t.stdout).toBe('');
    expect(t.stderr).toMatch(/name a node/);
    // sftp and scp (a subsystem, an exec of scp) reach nothing either
    const sftp = await execa(
      'sftp',
      ['-b', '-', ...direct(0).map((a) => (a === '-p' ? '-P' : a)), 'attendee-1@127.0.0.1'],
      {
        reject: false,
        timeout: 30_000,
        input: 'ls /\n',
      },
    );
    expect(sftp.exitCode).not.toBe(0);
    expect(sftp.stdout).not.toMatch(/etc|usr/);
  });

  it("the route guard holds: a node address not routed out of the attendee's own link is refused", async () => {
    const saved = attendees[0];
    attendees[0] = { ...saved, link: attendees[1].link }; // the live list, as lab serve may change it
    try {
      const jump = await ssh([...direct(0), '-W', 'router:22', 'attendee-1@127.0.0.1'], '');
      expect(jump.exitCode).toBe(255);
      expect(jump.stderr).toMatch(/open failed/);
      const exec = await ssh([...direct(0), 'attendee-1@127.0.0.1', 'router', 'hostname']);
      expect(exec.exitCode).toBe(1);
      expect(exec.stderr).toMatch(/cannot open router: refusing to connect/);
    } finally {
      attendees[0] = saved;
    }
    expect(events).toContainEqual({ user: 'attendee-1', kind: 'refused-route', node: 'router' });
  });

  it('an attendee whose nodes cannot be read (damaged state) is told so; the gateway serves on', async () => {
    const saved = attendees[0];
    attendees[0] = {
      ...saved,
      targets: () => {
        throw new Error('nodes.json is damaged');
      },
    };
    try {
      const r = await ssh([...direct(0), 'attendee-1@127.0.0.1', 'router', 'hostname']);
      expect(r.exitCode).toBe(1);
      expect(r.stderr).toMatch(/no node 'router' here/);
    } finally {
      attendees[0] = saved;
    }
    const again = await ssh([...direct(0), 'attendee-1@127.0.0.1', 'router', 'hostname']);
    expect(again.stdout.trim()).toBe('router');
  });

  it('bounds the connections one attendee holds at once; the others are not affected', async () => {
    const small = await startGateway({
      listen: '127.0.0.1',
      port: 0,
      hostKeyPath,
      attendees: () => attendees,
      onEvent: (e) => events.push(e),
      limits: { perAttendee: 1 },
    });
    const withKh = (i: number) => direct(i, small);
    const execs = () => events.filter((e) => e.kind === 'exec' && e.user === 'attendee-1').length;
    const before = execs();
    const held = execa('ssh', [...withKh(0), 'attendee-1@127.0.0.1', 'router', 'sleep 20'], {
      reject: false,
      timeout: 30_000,
    });
    try {
      await expect.poll(execs, { timeout: 10_000 }).toBeGreaterThan(before);
      await new Promise((r) => setTimeout(r, 500));
      const second = await ssh([...withKh(0), 'attendee-1@127.0.0.1', 'router', 'hostname']);
      expect(second.exitCode).toBe(255);
      expect(events).toContainEqual({ user: 'attendee-1', kind: 'login-refused-too-many' });
      const other = await ssh([...withKh(1), 'attendee-2@127.0.0.1', 'router', 'hostname']);
      expect(other.exitCode, other.stderr).toBe(0);
    } finally {
      held.kill();
      await held;
      await small.close();
    }
  });

  it('says what happened through onEvent, with no key in it', () => {
    const kinds = new Set(events.map((e) => e.kind));
    for (const k of ['login', 'logout', 'jump', 'exec', 'shell', 'menu', 'login-refused', 'refused-jump'])
      expect(kinds, k).toContain(k);
    const text = JSON.stringify(events);
    for (const i of [0, 1]) {
      const key = readFileSync(keyOf(i), 'utf8');
      expect(text).not.toContain(key.split('\n')[1]);
      expect(text).not.toContain(attendees[i].authorizedKey.split(' ')[1]);
    }
    expect(text).not.toContain(gw.hostKey.split(' ')[1]);
  });
});
