// Every lab that runs on netns and has steps, walked step by step: each step's checks fail before it
// (at least one) and all pass after; `lab up --to` rebuilds to a step; the node $ of step scripts.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadTargets } from '../../src/engine/state.js';
import { loadLab } from '../../src/model/load.js';
import { resolveLab } from '../../src/model/resolve.js';
import { roleOf } from '../../src/roles/index.js';
import { runStepScript, StepScriptError } from '../../src/steps/api.js';
import { nodeDollar } from '../../src/steps/node-dollar.js';
import { SshShell } from '../../src/transport/ssh.js';
import { labCli } from '../helpers/cli.js';
import { leftovers, liveProcesses } from '../helpers/host.js';
import { isRoot, LAB_NAMES, labFile } from '../helpers/labs.js';

const walkable = LAB_NAMES.filter((name) => {
  const { lab } = resolveLab(loadLab(labFile(name)));
  return lab.steps.length > 0 && lab.nodes.every((n) => n.roles.every((r) => roleOf(r)?.emulated !== false));
});
const pending = LAB_NAMES.filter((n) => !walkable.includes(n));
if (pending.length) console.warn(`steps walk: not on netns yet or without steps: ${pending.join(', ')}`);

type CheckState = { name: string; state: string; reason?: string };
type StepsJson = {
  done: string[];
  next: string | null;
  steps: { name: string; state: string; checks: CheckState[]; breaks?: CheckState[] }[];
};
type StepJson = {
  step: string;
  ok: boolean;
  checks: { check: string; ok: boolean; reason?: string }[];
  breaks?: { check: string; ok: boolean; reason?: string }[];
};
/** The traps of walkable labs: optional steps that break checks on purpose. */
const traps = walkable.flatMap((name) =>
  resolveLab(loadLab(labFile(name)))
    .lab.steps.filter((s) => s.optional && s.breaks.length)
    .map((s) => [name, s.name] as const),
);

describe.skipIf(!isRoot)('lab steps on netns', () => {
  const state = mkdtempSync(join(tmpdir(), 'lab-steps-'));
  const lab = labCli(state);
  const base = `st${process.pid % 100000}`;
  const made: [string, string][] = [];

  afterAll(async () => {
    for (const [name, instance] of made) await lab(['down', name, '-i', instance]);
    rmSync(state, { recursive: true, force: true });
  });

  const stepsOf = async (name: string, instance: string): Promise<StepsJson> => {
    const r = await lab(['steps', name, '-i', instance, '--json']);
    expect(r.exitCode, r.all).toBe(0);
    return JSON.parse(r.stdout) as StepsJson;
  };

  // the labs walk side by side, each on an instance of its own: most of a walk is waiting on daemons
  it.concurrent.each(walkable)(
    '%s: every step fails its checks before and passes them after; its traps break theirs',
    async (name) => {
      const instance = `${base}${walkable.indexOf(name)}`;
      made.push([name, instance]);
      const up = await lab(['up', name, '-i', instance, '--to', '0']);
      expect(up.exitCode, up.all).toBe(0);
      const resolved = resolveLab(loadLab(labFile(name))).lab;
      const { steps } = resolved;
      for (const step of steps.filter((s) => !s.optional)) {
        const before = (await stepsOf(name, instance)).steps.find((s) => s.name === step.name)!;
        expect(before.state).toBe('next');
        const failing = before.checks.filter((c) => c.state === 'failed').map((c) => c.name);
        expect(failing.length, `${step.name}: no check fails before it`).toBeGreaterThan(0);
        const r = await lab(['step', name, '-i', instance, '--json']);
        expect(r.exitCode, r.all).toBe(0);
        const result = JSON.parse(r.stdout) as {
          step: string;
          ok: boolean;
          checks: { check: string; ok: boolean }[];
        };
        expect(result.step).toBe(step.name);
        // one result per check and member of its group (clos-fabric's spines); none for an empty group
        const expected = resolved.checks.filter((c) => step.checks.includes(c.name)).map((c) => c.name);
        expect(expected.length, `${step.name}: a step with nothing to prove`).toBeGreaterThan(0);
        expect(result.checks.map((c) => c.check).sort()).toEqual(expected.sort());
        expect(result.checks.every((c) => c.ok)).toBe(true);
        const after = (await stepsOf(name, instance)).steps.find((s) => s.name === step.name)!;
        expect(after.state).toBe('done');
        // a check whose group has no member (clos-fabric's servers: 0) has nothing to run
        expect(
          after.checks.every((c) => c.state === (expected.includes(c.name) ? 'passed' : 'not run')),
          JSON.stringify(after.checks),
        ).toBe(true);
      }
      const end = await stepsOf(name, instance);
      expect(end.next).toBeNull();
      const again = await lab(['step', name, '-i', instance]);
      expect(again.exitCode).toBe(0);
      expect(again.stdout).toMatch(/every step is done/);
      // the whole lab's checks hold at the end of the walk, as after a plain lab up
      const check = await lab(['check', name, '-i', instance]);
      expect(check.exitCode, check.all).toBe(0);
      // then each trap, on purpose (`lab step LAB NAME`): what it breaks passes before it and fails after,
      // what it keeps still passes
      for (const trap of steps.filter((s) => s.optional && s.breaks.length)) {
        const before = (await stepsOf(name, instance)).steps.find((s) => s.name === trap.name)!;
        expect(before.state).toBe('optional');
        expect(before.breaks!.map((c) => c.state)).toEqual(trap.breaks.map(() => 'passed'));
        const r = await lab(['step', name, trap.name, '-i', instance, '--json']);
        expect(r.exitCode, r.all).toBe(0);
        const result = JSON.parse(r.stdout) as StepJson;
        expect(result).toMatchObject({ step: trap.name, ok: true });
        expect(result.checks.every((c) => c.ok)).toBe(true);
        // ok: failed as the trap means; each names why
        expect(result.breaks!.length).toBeGreaterThanOrEqual(trap.breaks.length);
        expect(result.breaks!.every((c) => c.ok && c.reason)).toBe(true);
        const after = (await stepsOf(name, instance)).steps.find((s) => s.name === trap.name)!;
        expect(after.state).toBe('done');
        expect(after.breaks!.map((c) => c.state)).toEqual(trap.breaks.map(() => 'failed'));
        expect(after.checks.every((c) => c.state === 'passed')).toBe(true);
        // the lab no longer proves itself: lab check fails on what the trap broke
        const broken = await lab(['check', name, '-i', instance]);
        expect(broken.exitCode).toBe(5);
        for (const c of trap.breaks) expect(broken.all).toMatch(new RegExp(`✖ ${c} on `));
        // a trap runs once: again is refused, with the way back
        const again = await lab(['step', name, trap.name, '-i', instance]);
        expect(again.exitCode).toBe(2);
        expect(again.all).toMatch(/has already run/);
      }
      const dir = join(state, name, instance);
      const down = await lab(['down', name, '-i', instance]);
      expect(down.exitCode, down.all).toBe(0);
      // the daemons the steps started over SSH were journalled, and are gone
      expect(liveProcesses(join(dir, 'journal.jsonl'))).toEqual([]);
    },
    240_000,
  );

  // beside the walks (concurrent, the test before): a trap's instance is its own
  it.concurrent.each(traps)(
    '%s: lab up --to %s proves the steps before it, then breaks on purpose',
    async (name, trapName) => {
      const instance = `${base}x${traps.findIndex(([l, t]) => l === name && t === trapName)}`;
      made.push([name, instance]);
      const resolved = resolveLab(loadLab(labFile(name))).lab;
      const { steps } = resolved;
      const trap = steps.find((s) => s.name === trapName)!;
      const r = await lab(['up', name, '-i', instance, '--to', trapName]);
      expect(r.exitCode, r.all).toBe(0);
      expect(r.stdout).toMatch(
        new RegExp(`${trapName}, run on purpose once the steps before it were proven`),
      );
      for (const c of trap.breaks)
        expect(r.stdout).toMatch(new RegExp(`✖ ${c} on \\S+: fails, as this step means it to: `));
      for (const c of trap.checks) expect(r.stdout).toMatch(new RegExp(`✔ ${c} on \\S+: passed`));
      const s = await stepsOf(name, instance);
      expect(s.done).toEqual(steps.filter((x) => !x.optional || x === trap).map((x) => x.name));
      expect(s.next).toBeNull();
      const t = s.steps.find((x) => x.name === trapName)!;
      expect(t.breaks!.map((c) => c.state)).toEqual(trap.breaks.map(() => 'failed'));
      // its own instance's line: the walk of the same lab, beside it, passes through the trap too
      const status = await lab(['status', name]);
      expect(status.stdout).toMatch(
        new RegExp(`instance ${instance}\\): [^\\n]*\\n  steps: [^\\n]*broken on purpose by ${trapName}`),
      );
      const down = await lab(['down', name, '-i', instance]);
      expect(down.exitCode, down.all).toBe(0);
    },
    120_000,
  );

  it('lab up --to rebuilds a fresh instance to the end of a step, and no further', async () => {
    const instance = `${base}t`;
    made.push(['bgp-metallb', instance]);
    const r = await lab(['up', 'bgp-metallb', '-i', instance, '--to', 'metallb']);
    expect(r.exitCode, r.all).toBe(0);
    expect(r.all).toMatch(/sessions-established on router: passed/);
    expect(r.all).not.toMatch(/load-is-spread/);
    const s = await stepsOf('bgp-metallb', instance);
    expect(s.done).toEqual(['router', 'client', 'metallb']);
    expect(s.next).toBe('service');
    const service = s.steps.find((x) => x.name === 'service')!;
    expect(service.checks.map((c) => c.state)).toEqual(['failed', 'failed']);
    // lab status shows where the instance stands, at a glance and as JSON
    const status = await lab(['status', 'bgp-metallb']);
    expect(status.stdout).toMatch(
      new RegExp(
        `instance ${instance}\\): up[^\\n]*\\n  steps: 3 of 4 done \\(router, client, metallb\\), next: service`,
      ),
    );
    const json = JSON.parse((await lab(['status', 'bgp-metallb', '--json'])).stdout) as {
      instance: string;
      steps: { done: string[]; next?: string; total: number };
    }[];
    expect(json.find((i) => i.instance === instance)?.steps).toMatchObject({
      done: ['router', 'client', 'metallb'],
      next: 'service',
      total: 4,
    });
    const bad = await lab(['up', 'bgp-metallb', '-i', `${instance}x`, '--to', 'nosuchstep']);
    expect(bad.exitCode).toBe(2);
    expect(bad.all).toMatch(/no step 'nosuchstep'; its steps are router, client, metallb, service/);
  });

  it('a node $ quotes, obeys nothrow and timeouts, and failures name the step, node and command', async () => {
    const instance = `${base}t`; // left at the end of step metallb by the test before
    const target = loadTargets(join(state, 'bgp-metallb', instance)).find((t) => t.node === 'router')!;
    const shell = new SshShell(target);
    try {
      const $r = nodeDollar(shell);
      const tricky = `a b'c "d" $HOME; echo no`;
      expect((await $r`printf %s ${tricky}`).stdout).toBe(tricky);
      expect((await $r`hostname`).stdout.trim()).toBe('router');
      const failed = await $r({ nothrow: true })`echo oops >&2; exit 3`;
      expect(failed.exitCode).toBe(3);
      expect(failed.stderr.trim()).toBe('oops');
      const t0 = Date.now();
      const slow = await $r({ nothrow: true, timeout: '300ms' })`sleep 5`;
      expect(Date.now() - t0).toBeLessThan(2000);
      expect(slow.ok).toBe(false);
      const lines = await $r`birdc show protocols`.lines();
      expect(lines.filter((l) => /Established/.test(l))).toHaveLength(3);

      const { lab: model } = resolveLab(loadLab(labFile('bgp-metallb')));
      const step = { ...model.steps[0], script: join(state, 'fail.mjs') };
      const { writeFileSync } = await import('node:fs');
      writeFileSync(
        step.script,
        "export default async ({ on }) => { await on('router')`ls /nonexistent`; };\n",
      );
      const e = await runStepScript(model, step, () => shell).catch((x: unknown) => x);
      expect(e).toBeInstanceOf(StepScriptError);
      expect((e as Error).message).toMatch(
        /^step router: on router: `set -euo pipefail; ls \/nonexistent` exited with 2/,
      );
    } finally {
      shell.close();
    }
  });

  it('leaves nothing behind', async () => {
    for (const [name, instance] of made.splice(0)) await lab(['down', name, '-i', instance]);
    // links are not compared: other runs on this host create theirs meanwhile
    for (const name of walkable) expect(leftovers(`lab.${name}.${base}`).namespaces).toEqual([]);
  });
});
