// A check or a step's node command that leaves a process in the background holding its output
// (`sleep 300 & echo ok`) ends with the command's exit status, not at its timeout, and says so; what
// the step started in the background stays on the node (a step may start a daemon) until lab down.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { labCli } from '../helpers/cli.js';
import { leftovers } from '../helpers/host.js';
import { copyLab, isRoot, withServiceTimeout } from '../helpers/labs.js';

describe.skipIf(!isRoot)('commands that leave a process holding their output', () => {
  const dir = mkdtempSync(join(tmpdir(), 'lab-background-'));
  const lab = labCli(join(dir, 'state'));
  const instance = `bo${process.pid % 100000}`;
  // bgp-metallb with one worker, two checks of its own, and its step service's script replaced
  const { copy, file } = copyLab('bgp-metallb', join(dir, 'lab'), (yaml) =>
    withServiceTimeout(
      yaml.replace(
        'checks:\n',
        `checks:
  - name: held-passes
    description: exits 0, a sleep left holding its output
    node: router
    run: sleep 300 & echo ok
    expect: { contains: ok }
  - name: held-fails
    description: exits 3, a sleep left holding its output
    node: router
    run: sleep 300 & echo ok; exit 3
    expect: { contains: ok }
`,
      ),
      60,
    ),
  );
  writeFileSync(
    join(copy, 'steps', 'service.mjs'),
    "export default async ({ on }) => { await on('master')`nohup sleep 300 & echo started`; };\n",
  );

  beforeAll(async () => {
    const up = await lab(['up', file, '-i', instance, '--set', 'workers=1', '--to', 'metallb']);
    expect(up.exitCode, up.all).toBe(0);
  }, 120_000);

  afterAll(async () => {
    await lab(['down', file, '-i', instance]);
    rmSync(dir, { recursive: true, force: true });
  });

  it("a check's verdict is its command's exit status, at once, saying a process held its output", async () => {
    const started = Date.now();
    // the service's checks fail too: the lab is up to its step metallb
    const r = await lab(['check', file, '-i', instance, '--json'], { timeout: 90_000 });
    // it waited for the sleep: 10 s per try (the command's timeout), exit 124, until the check's wait
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(r.exitCode, r.all).toBe(5);
    const results = (JSON.parse(r.stdout) as { results: Record<string, unknown>[] }).results;
    const held = /a process the command left in the background held its output: judged at its exit/;
    expect(results.find((c) => c.check === 'held-passes')).toMatchObject({
      ok: true,
      detail: expect.stringMatching(held),
    });
    expect(results.find((c) => c.check === 'held-fails')).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/^exit 3: ok \(a process/),
    });
  }, 120_000);

  it('lab exec ends with the exit status and says so on stderr', async () => {
    const started = Date.now();
    const r = await lab(['exec', file, '-i', instance, 'router', '--', 'sleep 300 & echo ok; exit 7']);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(r.exitCode, r.all).toBe(7);
    expect(r.stdout.trim()).toBe('ok');
    expect(r.stderr).toMatch(/a process it started in the background still holds its output/);
  }, 30_000);

  it("a step's command ends when its shell does; what it started stays on the node until lab down", async () => {
    const started = Date.now();
    const step = await lab(['step', file, '-i', instance, 'service'], { timeout: 90_000 });
    expect(step.exitCode, step.all).toBe(0);
    // it waited the sleep's 300 s, to the step's timeout (60 s), and failed
    expect(Date.now() - started).toBeLessThan(20_000);
    const ps = await lab([
      'exec',
      file,
      '-i',
      instance,
      'master',
      '--',
      'pgrep -x sleep >/dev/null && echo running',
    ]);
    expect(ps.stdout.trim(), ps.all).toBe('running');
    const down = await lab(['down', file, '-i', instance]);
    expect(down.exitCode, down.all).toBe(0);
    expect(leftovers(`lab.bgp-metallb.${instance}`).namespaces).toEqual([]);
  }, 120_000);
});
