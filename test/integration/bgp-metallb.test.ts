// bgp-metallb for real, as root: up, the checks, an independent look with plain tools, failures, down.
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import { Journal } from '../../src/engine/journal.js';
import { labCli } from '../helpers/cli.js';
import { leftovers, liveProcesses, namespacesOf } from '../helpers/host.js';
import { isRoot } from '../helpers/labs.js';

if (!isRoot) console.warn('bgp-metallb integration tests skipped: they create namespaces and need root');

const instance = `it${process.pid % 100000}`;
const ns = (node: string) => `lab.bgp-metallb.${instance}.${node}`;

describe.skipIf(!isRoot)('bgp-metallb on netns', () => {
  const state = mkdtempSync(join(tmpdir(), 'lab-it-'));
  const lab = labCli(state);
  const dir = join(state, 'bgp-metallb', instance);
  const journal = join(dir, 'journal.jsonl');

  afterAll(async () => {
    await lab(['down', 'bgp-metallb', '-i', instance]);
    await lab(['down', 'bgp-metallb', '-i', `${instance}b`]);
    rmSync(state, { recursive: true, force: true });
  });

  it('comes up with every check green', async () => {
    const r = await lab(['up', 'bgp-metallb', '-i', instance]);
    expect(r.exitCode, r.all).toBe(0);
    expect(r.all).toMatch(/sessions-established on router: passed/);
    expect(r.all).toMatch(
      /load-is-spread on client: passed .*all 3 answered over 56: worker1, worker2, worker3/,
    );
    expect(r.all).toMatch(/bgp-metallb is up and proven in/);
  });

  it('looks right to plain tools: ip, birdc, curl', async () => {
    const route = await execa('ip', ['netns', 'exec', ns('router'), 'ip', 'route', 'show', '172.16.254.1']);
    expect(route.stdout.match(/nexthop via 10\.0\.0\.5[1-3]/g)).toHaveLength(3);
    const holder = new Journal(journal).resources().find((r) => r.id === 'process:router:holder');
    // the node's private /run holds BIRD's default socket: enter its namespaces as a VM login would
    const birdc = await execa('nsenter', [
      '-t',
      String(holder!.kind === 'process' && holder!.pid),
      '-n',
      '-m',
      '-u',
      'birdc',
      'show',
      'protocols',
    ]);
    expect(birdc.stdout.match(/Established/g)).toHaveLength(3);
    const curl = await execa('ip', [
      'netns',
      'exec',
      ns('client'),
      'curl',
      '-sS',
      '-m',
      '3',
      'http://172.16.254.1/',
    ]);
    expect(curl.stdout).toMatch(/^worker[1-3]$/);
    // the data plane never reaches the root namespace
    const root = await execa('ip', ['route', 'show', '172.16.254.1']);
    expect(root.stdout).toBe('');
  });

  it('answers plain OpenSSH through lab ssh-config, on a node that knows its name', async () => {
    const config = (await lab(['ssh-config', 'bgp-metallb', '-i', instance, '--path'])).stdout.trim();
    const r = await execa('ssh', ['-F', config, 'router', 'hostname; birdc show protocols'], {
      reject: false,
    });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout.split('\n')[0]).toBe('router');
    expect(r.stdout.match(/Established/g)).toHaveLength(3);
    expect(readFileSync(config, 'utf8')).toMatch(/StrictHostKeyChecking yes/);
  });

  it('runs commands with lab exec and passes their exit code through', async () => {
    const ok = await lab(['exec', 'bgp-metallb', '-i', instance, 'worker2', '--', 'hostname']);
    expect(ok.stdout.trim()).toBe('worker2');
    const bad = await lab(['exec', 'bgp-metallb', '-i', instance, 'worker2', '--', 'exit 7']);
    expect(bad.exitCode).toBe(7);
  });

  it('transport: SFTP, a timeout on every command, reconnection, and the route guard', async () => {
    const { loadTargets } = await import('../../src/engine/state.js');
    const { SshShell } = await import('../../src/transport/ssh.js');
    const { verifyRoutedVia } = await import('../../src/transport/route-guard.js');
    const shell = new SshShell(loadTargets(dir).find((t) => t.node === 'router')!);
    try {
      await shell.putFile('/root/note.txt', 'written over SFTP\n', 0o600);
      expect((await shell.exec('cat /root/note.txt; stat -c %a /root/note.txt')).stdout).toBe(
        'written over SFTP\n600\n',
      );
      const slow = await shell.exec('sleep 5', { timeoutMs: 200 });
      expect(slow).toMatchObject({ timedOut: true, exitCode: 124 });
      expect(slow.durationMs).toBeLessThan(1500);
      // the connection drops (a node reconfigured, sshd restarted): the next command reconnects, also
      // at once, before the client has said 'close' (that came later than 100 ms on a busy host)
      (shell as unknown as { client?: { end(): void } }).client?.end();
      expect((await shell.exec('hostname')).stdout.trim()).toBe('router');
      (shell as unknown as { client?: { end(): void } }).client?.end();
      await new Promise((r) => setTimeout(r, 100));
      expect((await shell.exec('hostname')).stdout.trim()).toBe('router');
    } finally {
      shell.close();
    }
    const status = JSON.parse((await lab(['status', 'bgp-metallb', '--json'])).stdout) as {
      instance: string;
    }[];
    expect(status.some((s) => s.instance === instance)).toBe(true);
    // an address that would leave through the host's default route is refused before any packet
    const link = JSON.parse(readFileSync(join(dir, 'instance.json'), 'utf8')).link as string;
    await expect(verifyRoutedVia(['192.0.2.200'], link)).rejects.toThrow(
      /refusing to connect: 192\.0\.2\.200 would leave through \S+, not the lab's link/,
    );
  });

  it('refuses a second lab up of a running instance, and creates nothing', async () => {
    const before = namespacesOf(`lab.bgp-metallb.${instance}`).length;
    const r = await lab(['up', 'bgp-metallb', '-i', instance]);
    expect(r.exitCode).toBe(6); // busy: documented under Exit codes;
    expect(r.all).toMatch(/is already up/);
    expect(r.all).toMatch(/--instance NAME/);
    expect(namespacesOf(`lab.bgp-metallb.${instance}`)).toHaveLength(before);
  });

  it('runs a second instance beside the first, isolated', async () => {
    const other = `${instance}b`;
    const r = await lab(['up', 'bgp-metallb', '-i', other]);
    expect(r.exitCode, r.all).toBe(0);
    const status = JSON.parse((await lab(['status', 'bgp-metallb', '--json'])).stdout) as {
      instance: string;
      management: string;
    }[];
    const [a, b] = [instance, other].map((i) => status.find((s) => s.instance === i)!);
    expect(a.management).not.toBe(b.management);
    // -i: that instance alone; one that is not up is exit 7, as lab check says it
    const one = JSON.parse((await lab(['status', 'bgp-metallb', '-i', other, '--json'])).stdout) as {
      instance: string;
    }[];
    expect(one.map((s) => s.instance)).toEqual([other]);
    const absent = await lab(['status', 'bgp-metallb', '-i', `${other}x`]);
    expect([absent.exitCode, absent.all]).toEqual([7, expect.stringMatching(/is not up/)]);
    expect((await lab(['check', 'bgp-metallb', '-i', instance])).exitCode).toBe(0);
    const down = await lab(['down', 'bgp-metallb', '-i', other]);
    expect(down.exitCode).toBe(0);
    expect(namespacesOf(`lab.bgp-metallb.${other}.`)).toEqual([]);
    expect((await lab(['check', 'bgp-metallb', '-i', instance])).exitCode).toBe(0);
  });

  it('fails lab check with the node and the reason when a daemon dies', async () => {
    const bird = new Journal(journal).resources().find((r) => r.id === 'process:worker2:bird');
    process.kill(bird!.kind === 'process' ? bird!.pid! : 0, 'SIGKILL');
    const r = await lab(['check', 'bgp-metallb', '-i', instance]);
    expect(r.exitCode).toBe(5);
    expect(r.all).toMatch(/check sessions-established on router failed .*not Established: worker2/);
    expect(r.all).toMatch(/ecmp-route .*missing worker2 \(10\.0\.0\.52\)/);
    const status = await lab(['status', 'bgp-metallb']);
    expect(status.stdout).toMatch(/1 of \d+ processes dead: worker2:bird/);
  });

  it("runs the speakers on FRR, as MetalLB's FRR mode does", async () => {
    const frr = `${instance}f`;
    const r = await lab(['up', 'bgp-metallb', '-i', frr, '--set', 'speaker=frr']);
    expect(r.exitCode, r.all).toBe(0);
    const summary = await lab([
      'exec',
      'bgp-metallb',
      '-i',
      frr,
      'worker1',
      '--',
      'vtysh --vty_socket /run/frr -c "show bgp summary json"',
    ]);
    const peers = JSON.parse(summary.stdout).ipv4Unicast.peers as Record<
      string,
      { state: string; pfxSnt: number }
    >;
    expect(peers['10.0.0.1']).toMatchObject({ state: 'Established', pfxSnt: 1 });
    expect((await lab(['down', 'bgp-metallb', '-i', frr])).exitCode).toBe(0);
  });

  it('lab down removes everything, and a second down is a no-op', async () => {
    copyFileSync(journal, join(state, 'journal.copy'));
    const r = await lab(['down', 'bgp-metallb', '-i', instance]);
    expect(r.exitCode, r.all).toBe(0);
    expect(leftovers(`lab.bgp-metallb.${instance}`)).toEqual({
      namespaces: [],
      links: [],
      mounts: [],
    });
    expect(liveProcesses(join(state, 'journal.copy'))).toEqual([]);
    const again = await lab(['down', 'bgp-metallb', '-i', instance]);
    expect(again.exitCode).toBe(0);
    expect(again.stdout).toMatch(/nothing to remove/);
  });
});
