// A step script runs in a worker of its own under a time limit: a hang ends naming the step, ending the
// process is a failure, and its node commands reach the engine's connection (here: bash on this host,
// through a stand-in for an SSH connection).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import type { Client } from 'ssh2';
import { afterAll, describe, expect, it } from 'vitest';
import { loadLab } from '../../src/model/load.js';
import { resolveLab } from '../../src/model/resolve.js';
import { PROJECT_DIR } from '../../src/paths.js';
import { runStepScript, StepScriptError } from '../../src/steps/api.js';
import type { Connection } from '../../src/steps/remote-spawn.js';
import { labCli } from '../helpers/cli.js';
import { copyLab, labFile, withServiceTimeout } from '../helpers/labs.js';

const dir = mkdtempSync(join(tmpdir(), 'lab-step-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** An SSH connection's exec, played by bash on this host. */
const localConnection = (node: string): Connection => ({
  node,
  connect: async () =>
    ({
      exec(line: string, done: (err: Error | undefined, channel: unknown) => void) {
        const p = spawn('bash', ['-c', line], { stdio: ['ignore', 'pipe', 'pipe'] });
        const channel = Object.assign(new PassThrough(), {
          stderr: p.stderr,
          signal: (s: string) => p.kill(`SIG${s}` as NodeJS.Signals),
        });
        p.stdout.pipe(channel, { end: false });
        p.on('close', (code, signal) => {
          channel.emit('exit', code, signal?.replace(/^SIG/, ''));
          channel.emit('close');
        });
        done(undefined, channel);
      },
    }) as unknown as Client,
});

const { lab } = resolveLab(loadLab(labFile('bgp-metallb')));
const run = (body: string, timeout?: number, log?: (l: string) => void) => {
  const script = join(dir, `s${Math.random().toString(36).slice(2)}.mjs`);
  writeFileSync(script, body);
  const step = { ...lab.steps[0]!, name: 'probe', script, timeout };
  return runStepScript(lab, step, localConnection, log);
};
const failure = async (p: Promise<unknown>) => {
  const e = await p.then(
    () => undefined,
    (x: unknown) => x,
  );
  expect(e).toBeInstanceOf(StepScriptError);
  return (e as Error).message;
};

describe('step scripts', () => {
  it('runs node commands through the connection, and logs', async () => {
    const lines: string[] = [];
    await run(
      "export default async ({ on, log }) => { log((await on('router')`echo $((6*7)) ${'a b'}`).stdout.trim()); };\n",
      undefined,
      (l) => lines.push(l),
    );
    expect(lines).toEqual(['42 a b']);
  });

  it("reads a node's rendered files, rendered by the engine and handed to the thread", async () => {
    const lines: string[] = [];
    await run(
      "export default ({ files, log }) => { log(files('router').join(' ')); log(String(files('client').length)); };\n",
      undefined,
      (l) => lines.push(l),
    );
    expect(lines[0]).toContain('/etc/bird/bird.conf');
    expect(lines[1]).not.toBe('0');
  });

  it('a command that fails names the step, node and command', async () => {
    expect(
      await failure(run("export default async ({ on }) => { await on('router')`echo no >&2; exit 3`; };\n")),
    ).toMatch(/^step probe: on router: `set -euo pipefail; echo no >&2; exit 3` exited with 3:\n {2}no/);
  });

  it.each([
    ['a promise that never settles', 'export default () => new Promise(() => {});\n'],
    [
      'a timer that keeps the thread alive',
      'export default () => new Promise(() => setInterval(() => {}, 10));\n',
    ],
    [
      'a node command that never ends',
      "export default async ({ on }) => { await on('router')`sleep 60`; };\n",
    ],
    ['a busy loop', 'export default () => { for (;;) {} };\n'],
  ])('%s ends at the step timeout, naming the step', async (_, body) => {
    const started = Date.now();
    expect(await failure(run(body, 1))).toMatch(
      /^step probe: did not finish within 1 s \(the step's timeout:/,
    );
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it.each([['process.exit(0)'], ['process.exit()'], ['process.exit(3)']])(
    '%s in a step is a failure, not a step done, and lab goes on',
    async (call) => {
      expect(await failure(run(`export default async () => { ${call}; };\n`))).toMatch(
        /^step probe: its script ended the process \(process\.exit\(\d+\)\) before the step was done/,
      );
    },
  );

  it('an interruption at any moment, from before its thread starts to while its commands run, ends the step at once; nothing starts after it, and the thread stops', async () => {
    // the script marks its loading and then each moment it runs, and runs node commands in a loop
    const body = (beat: string) =>
      `import { appendFileSync } from 'node:fs';\nappendFileSync(${JSON.stringify(beat)}, 'loaded\\n');\nsetInterval(() => appendFileSync(${JSON.stringify(beat)}, 'beat\\n'), 5);\nexport default async ({ on }) => { for (;;) await on('router')\`sleep 0.01\`; };\n`;
    const size = (f: string) => (existsSync(f) ? readFileSync(f, 'utf8').length : 0);
    // before the call, then from the thread's first moments (loading its modules) to its commands
    for (const at of [-1, 0, 1, 3, 10, 30, 60, 100, 150, 250, 400, 700]) {
      const beat = join(dir, `beat-${at}`);
      const script = join(dir, `interrupted-${at}.mjs`);
      writeFileSync(script, body(beat));
      let execsAfter = 0;
      const controller = new AbortController();
      const counting = (node: string): Connection => {
        const conn = localConnection(node);
        return {
          node,
          connect: async () => {
            const client = (await conn.connect()) as unknown as { exec: (...a: unknown[]) => void };
            return {
              exec: (...a: unknown[]) => {
                if (controller.signal.aborted) execsAfter++;
                client.exec(...a);
              },
            } as unknown as Client;
          },
        };
      };
      if (at < 0) controller.abort();
      else setTimeout(() => controller.abort(), at);
      const started = Date.now();
      const step = { ...lab.steps[0]!, name: 'probe', script, timeout: 30 };
      const e = await runStepScript(lab, step, counting, undefined, { signal: controller.signal }).then(
        () => undefined,
        (x: unknown) => x,
      );
      const ended = Date.now() - started;
      expect(e, `interrupted at ${at} ms`).toBeInstanceOf(StepScriptError);
      expect((e as Error).message, `interrupted at ${at} ms`).toBe('step probe: interrupted');
      expect(ended - Math.max(at, 0), `interrupted at ${at} ms: the step ended ${ended} ms in`).toBeLessThan(
        1000,
      );
      if (at < 0)
        expect(existsSync(beat), 'interrupted before it began: the script never loaded').toBe(false);
      // the thread stops: its heartbeat ends (once it has finished starting, if it was starting)
      let before = size(beat);
      for (let i = 0; i < 100; i++) {
        await new Promise((r) => setTimeout(r, 100));
        const now = size(beat);
        if (now === before) break;
        before = now;
      }
      await new Promise((r) => setTimeout(r, 200));
      expect(size(beat), `interrupted at ${at} ms: the thread still runs`).toBe(before);
      expect(execsAfter, `interrupted at ${at} ms: commands started on the node after the interruption`).toBe(
        0,
      );
    }
  }, 60_000);

  it('a script without a default export, or one that throws, fails with its message', async () => {
    expect(await failure(run('export const x = 1;\n'))).toMatch(/has no default export/);
    expect(await failure(run("export default () => { throw new Error('not ready'); };\n"))).toBe(
      'step probe: not ready',
    );
  });
});

describe('one step thread per lab process', () => {
  /** A named step's run; its log lines are returned when it passes. */
  const runAs = async (name: string, body: string, timeout?: number) => {
    const script = join(dir, `${name}-${Math.random().toString(36).slice(2)}.mjs`);
    writeFileSync(script, body);
    const lines: string[] = [];
    await runStepScript(lab, { ...lab.steps[0]!, name, script, timeout }, localConnection, (l) =>
      lines.push(l),
    );
    return lines;
  };
  /** Reports its thread and how many times its module's state was counted. */
  const counting =
    "import { threadId } from 'node:worker_threads';\nlet runs = 0;\nexport default async ({ on, log }) => { runs++; await on('router')`sleep 0.2`; log(`${threadId} ${runs}`); };\n";
  const threadOf = async (name: string) => (await runAs(name, counting))[0]!.split(' ')[0];

  it('concurrent runs share one thread, each with its own module state, even of the same script', async () => {
    const script = join(dir, 'counting.mjs');
    writeFileSync(script, counting);
    const logs = await Promise.all(
      ['a', 'b', 'c'].map(async (name) => {
        const lines: string[] = [];
        await runStepScript(lab, { ...lab.steps[0]!, name, script }, localConnection, (l) => lines.push(l));
        return lines[0]!.split(' ');
      }),
    );
    const threads = new Set(logs.map(([thread]) => thread));
    expect(threads.size).toBe(1);
    expect([...threads][0]).not.toBe('0'); // not the engine's thread
    expect(logs.map(([, runs]) => runs)).toEqual(['1', '1', '1']);
  });

  it('process.exit, an uncaught exception or an unhandled rejection fails the run it came from, not the others beside it', async () => {
    const beside = runAs('beside', counting);
    const broken = await Promise.all(
      [
        'export default async () => { process.exit(2); };\n',
        "export default () => new Promise(() => setTimeout(() => { throw new Error('from a timer'); }, 10));\n",
        "export default () => { Promise.reject(new Error('not awaited')); return new Promise(() => {}); };\n",
      ].map((body, i) => failure(runAs(`broken${i}`, body, 30))),
    );
    expect(broken[0]).toMatch(
      /^step broken0: its script ended the process \(process\.exit\(2\)\) before the step was done/,
    );
    expect(broken[1]).toBe('step broken1: from a timer');
    expect(broken[2]).toBe('step broken2: not awaited');
    expect((await beside)[0]).toMatch(/^\d+ 1$/);
  });

  it("a run's timers stop with it (done, failed or interrupted) while the thread goes on with others", async () => {
    const beside = runAs('beside', 'export default () => new Promise((r) => setTimeout(r, 3000));\n', 30);
    const size = (f: string) => (existsSync(f) ? readFileSync(f, 'utf8').length : 0);
    const ticking = (beat: string, end: string) =>
      `import { appendFileSync } from 'node:fs';\nsetInterval(() => appendFileSync(${JSON.stringify(beat)}, 'x'), 5);\nexport default async () => { await new Promise((r) => setTimeout(r, 100)); setImmediate(() => setInterval(() => appendFileSync(${JSON.stringify(beat)}, 'y'), 5)); ${end} };\n`;
    const controller = new AbortController();
    const ends = {
      done: '',
      failed: "throw new Error('no');",
      interrupted: 'await new Promise(() => {});',
    };
    await Promise.all(
      Object.entries(ends).map(async ([how, end]) => {
        const beat = join(dir, `ticking-${how}`);
        const script = join(dir, `ticking-${how}.mjs`);
        writeFileSync(script, ticking(beat, end));
        if (how === 'interrupted') setTimeout(() => controller.abort(), 300);
        await runStepScript(lab, { ...lab.steps[0]!, name: how, script }, localConnection, undefined, {
          signal: controller.signal,
        }).catch(() => undefined);
        await new Promise((r) => setTimeout(r, 50));
        const at = size(beat);
        expect(at, how).toBeGreaterThan(0);
        await new Promise((r) => setTimeout(r, 300));
        expect(size(beat), `${how}: its timers still fire`).toBe(at);
      }),
    );
    expect(await beside).toEqual([]);
  });

  it('a run the engine gives up on retires the thread: the next run gets a fresh one, and what is left of that script stops once the runs beside it end', async () => {
    const beat = join(dir, 'abandoned');
    const size = () => (existsSync(beat) ? readFileSync(beat, 'utf8').length : 0);
    const beside = runAs(
      'beside',
      "import { threadId } from 'node:worker_threads';\nexport default async ({ on, log }) => { await on('router')`sleep 2`; log(String(threadId)); };\n",
      30,
    );
    // local work that no timer clearing ends
    const abandoned = `import { appendFile } from 'node:fs/promises';\nexport default async () => { for (;;) await appendFile(${JSON.stringify(beat)}, 'x'); };\n`;
    expect(await failure(runAs('abandoned', abandoned, 1))).toMatch(
      /^step abandoned: did not finish within 1 s/,
    );
    const next = await threadOf('next');
    const [besideThread] = await beside;
    expect(next).not.toBe(besideThread);
    await new Promise((r) => setTimeout(r, 300));
    const at = size();
    expect(at).toBeGreaterThan(0);
    await new Promise((r) => setTimeout(r, 300));
    expect(size(), 'the abandoned script still runs').toBe(at);
  });

  it('a run that loops past its timeout stops the thread: the runs beside it fail naming that step, and the next run gets a fresh thread', async () => {
    const before = await threadOf('first');
    const beside = failure(
      runAs('beside', 'export default () => new Promise((r) => setTimeout(r, 5000));\n', 30),
    );
    const started = Date.now();
    expect(await failure(runAs('looping', 'export default () => { for (;;) {} };\n', 1))).toMatch(
      /^step looping: did not finish within 1 s/,
    );
    expect(await beside).toMatch(
      /^step beside: the step thread stopped answering once step looping passed its timeout/,
    );
    expect(Date.now() - started).toBeLessThan(4000);
    const after = await threadOf('next');
    expect(after).not.toBe(before);
  });

  it('process.exit that no run can be blamed for (a listener of the thread) stops the thread and fails its runs', async () => {
    const beside = failure(
      runAs('beside', 'export default () => new Promise((r) => setTimeout(r, 5000));\n', 30),
    );
    const unblamed = failure(
      runAs(
        'unblamed',
        "import { parentPort } from 'node:worker_threads';\nexport default async ({ on }) => { parentPort.once('message', () => process.exit(5)); await on('router')`echo x`; await new Promise(() => {}); };\n",
        30,
      ),
    );
    for (const message of await Promise.all([beside, unblamed]))
      expect(message).toMatch(/: a step script ended the process \(process\.exit\(5\)\)/);
    expect(await runAs('next', counting)).toHaveLength(1);
  });

  it('the thread keeps no command alive: a process ends as its last step ends', () => {
    const script = join(dir, 'quick.mjs');
    writeFileSync(script, "export default ({ log }) => log('done');\n");
    const code = `
      const { loadLab } = await import(${JSON.stringify(join(PROJECT_DIR, 'dist/model/load.js'))});
      const { resolveLab } = await import(${JSON.stringify(join(PROJECT_DIR, 'dist/model/resolve.js'))});
      const { runStepScript } = await import(${JSON.stringify(join(PROJECT_DIR, 'dist/steps/api.js'))});
      const { lab } = resolveLab(loadLab(${JSON.stringify(labFile('bgp-metallb'))}));
      await runStepScript(lab, { ...lab.steps[0], script: ${JSON.stringify(script)} }, () => { throw new Error('no node'); }, (l) => console.log(l));
      console.log(Date.now());`;
    const main = join(dir, 'main.mjs');
    writeFileSync(main, code);
    const r = spawnSync(process.execPath, [main], { encoding: 'utf8' });
    const exited = Date.now();
    expect(r.status, r.stderr).toBe(0);
    const [line, at] = r.stdout.trim().split('\n');
    expect(line).toBe('done');
    // the idle thread (kept 5 s for a next step) does not hold the process
    expect(exited - Number(at)).toBeLessThan(3000);
  });
});

describe('host code', () => {
  it('lab lint and lab steps list the step scripts, with their timeout, and never run them', async () => {
    const { copy, file } = copyLab('bgp-metallb', join(dir, 'lab'), (yaml) => withServiceTimeout(yaml, 42));
    const ran = join(dir, 'ran');
    // a script that acts the moment it is loaded
    writeFileSync(
      join(copy, 'steps', 'service.mjs'),
      `import { writeFileSync } from 'node:fs';\nwriteFileSync(${JSON.stringify(ran)}, 'x');\nexport default () => {};\n`,
    );
    const lab = labCli(join(dir, 'state'));
    const lint = await lab(['lint', '--no-host', '--json', file]);
    expect(lint.exitCode, lint.all).toBe(0);
    expect(JSON.parse(lint.stdout).hostCode).toEqual([
      { step: 'service', script: 'steps/service.mjs', path: join(copy, 'steps', 'service.mjs'), timeout: 42 },
    ]);
    const text = await lab(['lint', '--no-host', file]);
    expect(text.stdout).toMatch(/host code: this step script runs on this host as root/);
    expect(text.stdout).toMatch(/steps\/service\.mjs \(step service, at most 42 s\)/);
    const steps = await lab(['steps', file, '--json']);
    expect(JSON.parse(steps.stdout).hostCode.map((c: { script: string }) => c.script)).toEqual([
      'steps/service.mjs',
    ]);
    expect(existsSync(ran)).toBe(false);
  });

  it('a timeout that is not a positive number of seconds (at most an hour) is refused', async () => {
    const { file } = copyLab('bgp-metallb', join(dir, 'bad-timeout'));
    const text = readFileSync(file, 'utf8');
    for (const bad of ['0', '-1', '3601', 'forever']) {
      writeFileSync(file, withServiceTimeout(text, bad));
      const r = await labCli(join(dir, 'state'))(['lint', '--no-host', file]);
      expect(r.exitCode, `timeout: ${bad}`).toBe(2);
      expect(r.stdout + r.stderr).toMatch(/steps\.\d+\.timeout|timeout/);
    }
  });
});
