// An attendee's ssh through the workshop's SSH gateway to a node that is down (its sshd killed, its
// instance removed by lab down) fails at once, and their ssh prints why and what to do: the reason
// rides in the gateway's channel open failure (ssh -J) or on stderr (the plain login's NODE CMD).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openLab } from '../../src/model/open.js';
import { type Gateway, type GatewayEvent, startGateway } from '../../src/serve/gateway/index.js';
import { type Attendee, LocalWorkshopState } from '../../src/serve/state.js';
import { Workshop } from '../../src/serve/workshop.js';
import { labCli } from '../helpers/cli.js';
import { killAndWait, leftovers } from '../helpers/host.js';
import { isRoot, labFile } from '../helpers/labs.js';

describe.skipIf(!isRoot)('the SSH gateway to a node that is down', () => {
  const dir = mkdtempSync(join(tmpdir(), 'lab-gateway-down-'));
  const state = join(dir, 'state');
  const lab = labCli(state);
  const instance = `gd${process.pid % 100000}`;
  const instanceDir = join(state, 'bgp-metallb', instance);
  const key = join(dir, 'attendee-key'); // kept after lab down removes the instance's
  const events: GatewayEvent[] = [];
  let gw: Gateway;

  const ssh = (args: string[]) => execa('ssh', args, { reject: false, timeout: 30_000, input: '' });
  /** ssh's options for the gateway: the attendee's key, the gateway's host key pinned, nothing asked. */
  const config = () => {
    const file = join(dir, 'config');
    writeFileSync(join(dir, 'known_hosts'), `[127.0.0.1]:${gw.port} ${gw.hostKey}\n`);
    writeFileSync(
      file,
      [
        'Host *',
        `  IdentityFile ${key}`,
        '  IdentitiesOnly yes',
        `  UserKnownHostsFile ${join(dir, 'known_hosts')}`,
        '  GlobalKnownHostsFile /dev/null',
        '  StrictHostKeyChecking yes',
        '  BatchMode yes',
        '  ConnectTimeout 10',
        '',
      ].join('\n'),
    );
    return file;
  };
  const jump = () =>
    ssh(['-F', config(), '-J', `${instance}@127.0.0.1:${gw.port}`, 'root@router', 'hostname']);
  const plain = () =>
    ssh(['-F', config(), '-p', String(gw.port), `${instance}@127.0.0.1`, 'router', 'hostname']);
  const timed = async (run: () => ReturnType<typeof ssh>) => {
    const started = Date.now();
    const r = await run();
    return { ...r, ms: Date.now() - started };
  };

  beforeAll(async () => {
    const up = await lab(['up', 'bgp-metallb', '-i', instance, '--to', '0']);
    expect(up.exitCode, up.all).toBe(0);
    writeFileSync(key, readFileSync(join(instanceDir, 'ssh', 'id_ed25519')), { mode: 0o600 });
    // lab serve's own wiring (src/cli/commands/serve.ts): the workshop knows the nodes and what is down
    const workshop = new Workshop({
      file: '',
      lab: openLab(labFile('bgp-metallb')).lab,
      sets: [],
      allow: [],
      prefix: 'gd',
      parallel: 1,
      state: new LocalWorkshopState(join(dir, 'workshop.json')),
      signal: new AbortController().signal,
    });
    const attendee: Attendee = {
      name: instance,
      token: 'unused',
      placement: { kind: 'local', dir: instanceDir },
      status: 'up',
    };
    gw = await startGateway({
      listen: '127.0.0.1',
      port: 0,
      hostKeyPath: join(dir, 'host_key'),
      attendees: () => [
        {
          user: instance,
          authorizedKey: workshop.authorizedKey(attendee),
          targets: () => workshop.targets(attendee),
          link: workshop.linkOf(attendee) ?? '',
          down: (node) => workshop.unreachable(attendee, node),
        },
      ],
      onEvent: (e) => events.push(e),
    });
  }, 120_000);

  afterAll(async () => {
    await gw?.close();
    await lab(['down', 'bgp-metallb', '-i', instance]);
    expect(leftovers(`lab.bgp-metallb.${instance}`).namespaces).toEqual([]);
    rmSync(dir, { recursive: true, force: true });
  });

  it('reaches the node while it is up', async () => {
    const r = await ssh([
      '-F',
      config(),
      '-p',
      String(gw.port),
      `${instance}@127.0.0.1`,
      'router',
      'hostname',
    ]);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout.trim()).toBe('router');
  });

  it('a name that is none of theirs is said as such', async () => {
    const r = await ssh(['-F', config(), '-W', 'nosuch:22', '-p', String(gw.port), `${instance}@127.0.0.1`]);
    expect(r.exitCode).toBe(255);
    expect(r.stderr).toMatch(
      /open failed: connect failed: nosuch:22 is none of yours: name one of your nodes/,
    );
  });

  it('its sshd killed: ssh -J and NODE CMD fail at once, saying so', async () => {
    const journal = readFileSync(join(instanceDir, 'journal.jsonl'), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { update?: { id: string; pid?: number } });
    const sshd = journal.findLast((e) => e.update?.id === 'process:router:sshd' && e.update.pid)!.update!
      .pid!;
    await killAndWait(sshd);
    const said = new RegExp(
      `router is down: sshd \\(pid ${sshd}\\) is not running; reset ${instance} to a step`,
    );
    // it said "open failed: connect failed: " and nothing more
    const j = await timed(jump);
    expect(j.exitCode).toBe(255);
    expect(j.stderr).toMatch(/open failed: connect failed: router is down/);
    expect(j.stderr).toMatch(said);
    expect(j.ms).toBeLessThan(3000);
    // it retried the refused connection for 5 s
    const p = await timed(plain);
    expect(p.exitCode).toBe(1);
    expect(p.stderr).toMatch(said);
    expect(p.ms).toBeLessThan(3000);
    expect(events).toContainEqual({ user: instance, kind: 'node-unreachable', node: 'router' });
  });

  it('its instance removed by lab down (behind the server): the attendee still logs in, and is told so at once', async () => {
    expect((await lab(['down', 'bgp-metallb', '-i', instance])).exitCode).toBe(0);
    const j = await timed(jump);
    expect(j.exitCode).toBe(255);
    expect(j.stderr).toMatch(
      new RegExp(`open failed: connect failed: ${instance}'s instance is gone: reset`),
    );
    expect(j.ms).toBeLessThan(3000);
    const p = await timed(plain);
    expect(p.exitCode).toBe(1);
    expect(p.stderr).toMatch(/instance is gone/);
    expect(p.ms).toBeLessThan(3000);
  });
});
