// The engine against a fake transport: judges, waits, role start-up, the journal.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { StartCommand } from '../../src/daemons/daemon.js';
import { commandsOf, describeFailure, inTurn, lastOutput, waitForCheck } from '../../src/engine/checks.js';
import { Journal } from '../../src/engine/journal.js';
import { birdSessions, gobgpSessions, judge, nextHops } from '../../src/engine/judges.js';
import { completeStart, recordStart, startCommandsOf, startScript } from '../../src/engine/start-roles.js';
import { openLab } from '../../src/model/open.js';
import { outputTail } from '../../src/printable.js';
import { FakeShell } from '../helpers/fake-shell.js';
import { labFile } from '../helpers/labs.js';

const { lab } = openLab(labFile('bgp-metallb'));
const check = (name: string) => lab.checks.find((c) => c.name === name)!;
const result = (stdout: string, exitCode = 0) => ({
  node: 'x',
  command: 'c',
  exitCode,
  stdout,
  stderr: exitCode ? 'boom' : '',
  durationMs: 1,
  timedOut: false,
});

const BIRDC = `BIRD 2.0.12 ready.
Name       Proto      Table      State  Since         Info
device1    Device     ---        up     02:38:50.972
kernel1    Kernel     master4    up     02:38:50.972
bgp_worker1 BGP        ---        up     02:38:51.883  Established
bgp_worker2 BGP        ---        start  02:38:51.777  Active        Socket: Connection refused
bgp_worker3 BGP        ---        up     02:38:51.798  Established
`;
const ROUTE = `172.16.254.1 proto bird metric 32
\tnexthop via 10.0.0.51 dev eth0 weight 1
\tnexthop via 10.0.0.53 dev eth0 weight 1
`;
const GOBGP = `Peer            AS  Up/Down State       |#Received  Accepted
172.16.18.33 64511 00:00:05 Establ      |        1          1
172.16.18.34 64511 never    Active      |        0          0
`;

describe('judges', () => {
  it("read the daemons' own output", () => {
    expect(birdSessions(BIRDC).get('bgp_worker2')).toBe('Active        Socket: Connection refused');
    expect(nextHops(ROUTE)).toEqual(['10.0.0.51', '10.0.0.53']);
    expect(nextHops('172.16.254.1 via 10.0.0.52 dev eth0 proto bird metric 32')).toEqual(['10.0.0.52']);
    expect(gobgpSessions(GOBGP).get('172.16.18.33')).toEqual({ state: 'Establ', received: 1, accepted: 1 });
  });

  it("know BIRD's dynamic sessions by their neighbor address (show protocols all)", () => {
    const all = [
      'Name       Proto      Table      State  Since         Info',
      'dyn        BGP        ---        start  17:09:47.509  Passive',
      '  BGP state:          Passive',
      '    Neighbor range:   10.8.1.0/24',
      'dyn1       BGP        ---        up     17:09:47.754  Established',
      '  BGP state:          Established',
      '    Neighbor address: 10.8.1.11',
      'direct1    Direct     ---        up     17:09:47.509',
      'dyn2       BGP        ---        start  17:09:47.841  Active        Socket: Connection refused',
      '  BGP state:          Active',
      '    Neighbor address: 10.8.1.12',
    ].join('\n');
    const sessions = birdSessions(all);
    expect(sessions.get('10.8.1.11')).toBe('Established');
    expect(sessions.get('10.8.1.12')).toBe('Active        Socket: Connection refused');
    expect(sessions.get('dyn1')).toBe('Established');
    expect(sessions.has('10.8.1.0/24')).toBe(false);
  });

  it('name the peer that is not Established, and why', () => {
    expect(judge(lab, check('sessions-established'), [result(BIRDC)])).toEqual({
      ok: false,
      reason: 'not Established: worker2: Active        Socket: Connection refused',
    });
    expect(
      judge(lab, check('sessions-established'), [
        result(
          BIRDC.replace(
            'start  02:38:51.777  Active        Socket: Connection refused',
            'up     02:38:51.777  Established',
          ),
        ),
      ]).ok,
    ).toBe(true);
  });

  it('name the missing next hop', () => {
    expect(judge(lab, check('ecmp-route'), [result(ROUTE)])).toEqual({
      ok: false,
      reason: '2 of 3 next hops; missing worker2 (10.0.0.52)',
    });
    expect(judge(lab, check('ecmp-route'), [result('')])).toEqual({ ok: false, reason: 'no such route' });
  });

  it("count distinct answers, over one command's lines or over repeats", () => {
    const spread = { ...check('load-is-spread'), expect: { distinct: { min: 2 } } };
    expect(commandsOf(spread)).toHaveLength(1);
    expect(judge(lab, spread, [result('worker1\nworker1\n')]).ok).toBe(false);
    expect(judge(lab, spread, [result('worker1\nworker3\nworker1\n')])).toEqual({
      ok: true,
      detail: '2 distinct answers over 3: worker1, worker3',
    });
    const repeated = {
      ...spread,
      repeat: { count: 3, var: 'port', start: 41001 },
      run: 'curl --local-port ${port} x',
    };
    expect(commandsOf(repeated)).toEqual([
      'curl --local-port 41001 x',
      'curl --local-port 41002 x',
      'curl --local-port 41003 x',
    ]);
    expect(judge(lab, repeated, [result('worker1\n'), result('worker1\n')]).ok).toBe(false);
    expect(judge(lab, repeated, [result('worker1\n'), result('worker3\n'), result('', 7)])).toMatchObject({
      ok: true,
    });
  });

  it('fail a command that exits non-zero with its error', () => {
    expect(judge(lab, check('client-reaches-service'), [result('', 28)])).toEqual({
      ok: false,
      reason: 'exit 28: boom',
    });
    expect(judge(lab, check('client-reaches-service'), [result('worker2\n')]).ok).toBe(true);
  });
});

describe('waits', () => {
  it('poll until the check passes, fast at first', async () => {
    const shell = new FakeShell('router', (_c, call) => ({
      stdout: call < 4 ? BIRDC : BIRDC.replaceAll(/start .*refused/g, 'up     02:38:51.777  Established'),
    }));
    const o = await waitForCheck(lab, check('sessions-established'), shell, { timeoutMs: 5000 });
    expect(o.verdict.ok).toBe(true);
    expect(o.attempts).toBe(4);
    expect(o.waitedMs).toBeLessThan(500);
  });

  it('give up at the deadline, naming check, node, command, reason and last output', async () => {
    const shell = new FakeShell('router', () => ({ stdout: BIRDC }));
    const o = await waitForCheck(lab, check('sessions-established'), shell, { timeoutMs: 300 });
    expect(o.verdict.ok).toBe(false);
    expect(o.waitedMs).toBeGreaterThanOrEqual(300);
    const text = describeFailure(o).join('\n');
    expect(text).toMatch(/^check sessions-established on router failed after 0\.\d s/);
    expect(text).toMatch(/command: birdc show protocols/);
    expect(text).toMatch(/bgp_worker2 BGP/);
  });

  it("keeps what it shows of a check's output, not the output: its last 64 KiB and first lines", async () => {
    // a leaf's routing table at a thousand nodes: every outcome lab up keeps held one
    const table = Array.from(
      { length: 20_000 },
      (_, i) => `10.${i >> 8}.${i & 255}.0/24 proto bird metric 32`,
    ).join('\n');
    const shell = new FakeShell('router', () => ({ stdout: `${table}\n`, exitCode: 1 }));
    const o = await waitForCheck(lab, check('sessions-established'), shell, { timeoutMs: 0 });
    expect(o.verdict.ok).toBe(false);
    expect(o.results[0].stdout).toBe('');
    expect(o.results[0].exitCode).toBe(1);
    expect(lastOutput(o)).toBe(outputTail(table));
    expect(lastOutput(o)).toMatch(/^\[\d+ characters cut, the last 65536 follow\]\n/);
    const text = describeFailure(o);
    expect(text.slice(-12)).toEqual(table.split('\n', 12).map((l) => `    ${l}`));
  });

  it('names the command as it ran, templates rendered, not as the lab file writes it', async () => {
    const spread = lab.checks.find((c) => c.run.includes('{{'))!;
    const shell = new FakeShell(spread.node, () => ({ exitCode: 7, stderr: 'curl: (7) refused' }));
    const o = await waitForCheck(lab, spread, shell, { timeoutMs: 0 });
    const text = describeFailure(o).join('\n');
    expect(text).not.toContain('{{');
    expect(text).toContain(`command: ${commandsOf(spread, lab)[0]}`);
    expect(text).toMatch(/\?\[1-\d+\]/);
  });

  it("runs a group check's members at once, and gives their outcomes in file order", async () => {
    const tf = openLab(labFile('tf-multicluster'), ['workers=3']).lab;
    const members = tf.checks.filter((c) => c.name === 'a-vrouter-underlay');
    expect(members.map((c) => c.node)).toEqual(['a-worker1', 'a-worker2', 'a-worker3']);
    let open!: () => void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    const shells = new Map(
      members.map((c) => [
        c.node,
        new FakeShell(c.node, () => ({ stdout: 'default via 10.10.0.1 dev eth0' })),
      ]),
    );
    const asked: string[] = [];
    const held = (node: string) => ({
      node,
      exec: async (command: string) => {
        asked.push(node);
        await gate; // no member answers before every member has been asked
        return shells.get(node)!.exec(command);
      },
      putFile: async () => {},
      close: () => {},
    });
    const next = inTurn(tf, tf.checks, (node) => held(node) as never, { wait: false });
    const first = next(members[0], false);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(asked).toEqual(['a-worker1', 'a-worker2', 'a-worker3']); // all asked before any answered
    open();
    expect((await first).verdict.ok).toBe(true);
    for (const m of members) expect(shells.get(m.node)!.commands).toEqual(['ip route show default']);
    const rest = [await next(members[1], false), await next(members[2], false)];
    expect(rest.map((o) => o.check.node)).toEqual(['a-worker2', 'a-worker3']);
    // asked once each: the later turns take the outcome already under way
    for (const m of members) expect(shells.get(m.node)!.commands.length).toBe(1);
  });

  it('stop waiting when aborted (Ctrl-C)', async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    const o = await waitForCheck(
      lab,
      check('sessions-established'),
      new FakeShell('router', () => ({ stdout: BIRDC })),
      { signal: controller.signal, timeoutMs: 30_000 },
    );
    expect(o.waitedMs).toBeLessThan(1000);
  });
});

describe('role start-up', () => {
  const dir = mkdtempSync(join(tmpdir(), 'lab-unit-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  /** Runs a start script with /bin/sh, as a node would, and returns what completeStart reads. */
  const runScript = (node: string, commands: StartCommand[]) => {
    const r = spawnSync('/bin/sh', ['-c', startScript(commands)], { encoding: 'utf8' });
    return {
      node,
      command: 'script',
      exitCode: r.status!,
      stdout: r.stdout,
      stderr: r.stderr,
      durationMs: 1,
      timedOut: false,
    };
  };

  it("puts a worker's roles in order in one script", () => {
    const worker = lab.nodes.find((n) => n.name === 'worker1')!;
    const commands = startCommandsOf(lab, worker);
    expect(commands.map((c) => c.name)).toEqual(['service-address', 'bird', 'nginx']);
    expect(commands[0].run).toBe('ip addr replace 172.16.254.1/32 dev lo');
    expect(startScript(commands)).toMatch(/^echo '>> service-address'\n\( ip addr replace/);
  });

  it('journals each daemon before it starts (with its pid file), and its pid once written', async () => {
    const journal = new Journal(join(dir, 'journal.jsonl'));
    const commands = [
      { name: 'prepare', run: 'true' },
      // a daemon that writes its pid file a moment after its parent returns
      { name: 'daemon', run: `(sleep 0.1; echo ${process.pid} > ${dir}/d.pid) &`, pidfile: `${dir}/d.pid` },
    ];
    recordStart(journal, 'worker1', commands);
    expect(journal.resources()).toEqual([
      {
        kind: 'process',
        id: 'process:worker1:daemon',
        node: 'worker1',
        name: 'daemon',
        pidfile: `${dir}/d.pid`,
      },
    ]);
    await completeStart(journal, 'worker1', commands, runScript('worker1', commands));
    expect(journal.resources()[0]).toMatchObject({ pid: process.pid, starttime: expect.any(String) });
  });

  it('keeps a daemon its pid file names alive under its own name, and starts one whose pid file is stale', () => {
    // a lab step run again after Ctrl-C: its first try had started the daemon (a second nginx found
    // its port taken)
    const pidfile = join(dir, 'kept.pid');
    const starts = join(dir, 'starts');
    const commands = [
      {
        name: 'daemon',
        run: `echo start >> ${starts}; sleep 30 </dev/null >/dev/null 2>&1 & echo $! > ${pidfile}`,
        pidfile,
        program: 'sleep',
      },
    ];
    const pids: string[] = [];
    const reported = () => {
      const pid = /^<< daemon (\d+)$/m.exec(runScript('n', commands).stdout)?.[1] ?? '';
      pids.push(pid);
      return pid;
    };
    const started = () => readFileSync(starts, 'utf8').split('\n').filter(Boolean).length;
    const gone = (pid: string) => {
      process.kill(Number(pid), 'SIGKILL');
      spawnSync('sh', ['-c', `while kill -0 ${pid} 2>/dev/null; do sleep 0.01; done`]);
    };
    try {
      const first = reported();
      expect(reported()).toBe(first);
      expect(started()).toBe(1);
      // gone: started again
      gone(first);
      const third = reported();
      expect(third).not.toBe(first);
      expect(started()).toBe(2);
      // its pid another program's (this one's): started again
      gone(third);
      writeFileSync(pidfile, `${process.pid}\n`);
      expect(reported()).not.toBe(String(process.pid));
      expect(started()).toBe(3);
    } finally {
      for (const pid of new Set(pids.filter((p) => p && p !== String(process.pid))))
        try {
          process.kill(Number(pid), 'SIGKILL');
        } catch {
          // gone already
        }
    }
  });

  it('fails naming the node, the step, the command and its error', async () => {
    const journal = new Journal(join(dir, 'journal2.jsonl'));
    const commands = [
      { name: 'forwarding', run: 'true' },
      {
        name: 'bird',
        run: 'echo "bird: /etc/bird/bird.conf:3:1 syntax error" >&2; exit 1',
        pidfile: `${dir}/never.pid`,
      },
      { name: 'nginx', run: 'echo never' },
    ];
    const result = runScript('router', commands);
    await expect(completeStart(journal, 'router', commands, result)).rejects.toThrow(
      /^router: bird failed: `echo .*` exited with 1:\n {2}bird: \/etc\/bird\/bird.conf:3:1 syntax error$/,
    );
    expect(result.stdout).not.toMatch(/never/);
  });
});

describe('journal', () => {
  it('merges updates, survives a line cut short by a crash, and forgets removed resources', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lab-journal-'));
    const j = new Journal(join(dir, 'j.jsonl'));
    j.record({ kind: 'netns', id: 'n1', name: 'lab.x.y' });
    j.record({ kind: 'process', id: 'p1', name: 'bird' });
    j.update({ id: 'p1', pid: 42, starttime: '7' });
    j.record({ kind: 'link', id: 'l1', name: 'lab12345' });
    j.update({ id: 'l1', removed: true });
    require('node:fs').appendFileSync(join(dir, 'j.jsonl'), '{"kind":"proc');
    expect(j.resources()).toEqual([
      { kind: 'netns', id: 'n1', name: 'lab.x.y' },
      { kind: 'process', id: 'p1', name: 'bird', pid: 42, starttime: '7' },
    ]);
    rmSync(dir, { recursive: true, force: true });
  });
});
