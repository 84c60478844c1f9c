// The conformance set (test/conformance/*/lab.yaml): small labs, one per routing capability, each
// linted, brought up until every check passes, its optional steps (declared failures) run by name,
// brought down, and nothing of it left on the host.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, it } from 'vitest';
import { Journal } from '../../src/engine/journal.js';
import { isAlive } from '../../src/host/processes.js';
import { loadLab } from '../../src/model/load.js';
import { resolveLab } from '../../src/model/resolve.js';
import { labCli } from '../helpers/cli.js';
import { namespacesOf } from '../helpers/host.js';
import { CONFORMANCE_LABS, conformanceFile, isRoot } from '../helpers/labs.js';

/** The optional steps of a conformance lab (its declared failures and repairs), in file order. */
const stepsOf = (file: string) =>
  resolveLab(loadLab(file))
    .lab.steps.filter((s) => s.optional)
    .map((s) => s.name);

if (!isRoot) console.warn('conformance labs skipped: they create namespaces and need root');

// CONFORMANCE_ONLY=a,b runs those labs alone (one lab's change need not bring up the whole set)
const only = process.env.CONFORMANCE_ONLY?.split(',').filter(Boolean);
const LABS = only ? CONFORMANCE_LABS.filter((name) => only.includes(name)) : CONFORMANCE_LABS;
if (only && LABS.length !== only.length)
  throw new Error(`CONFORMANCE_ONLY names no such lab: ${only.filter((n) => !LABS.includes(n)).join(', ')}`);

const instance = `cf${process.pid % 100000}`;
const upTimes: string[] = [];

// side by side (vitest's maxConcurrency, 5 at once): each lab has namespaces and a link of its own name,
// and most of each up is waiting on its daemons' timers (BIRD's connect delay, OSPF's intervals)
describe.skipIf(!isRoot)('conformance labs on netns, side by side', () => {
  const state = mkdtempSync(join(tmpdir(), 'lab-conformance-'));
  const lab = labCli(state);
  afterAll(async () => {
    for (const name of LABS) await lab(['down', conformanceFile(name), '-i', instance]);
    rmSync(state, { recursive: true, force: true });
    if (upTimes.length) console.log(`conformance up times: ${upTimes.join(', ')}`);
  });

  it.concurrent.for(LABS)(
    '%s: lint clean, up with every check passing, down leaving nothing',
    async (name, { expect }) => {
      const file = conformanceFile(name);
      const lint = await lab(['lint', file, '--no-host']);
      expect(lint.exitCode, lint.all).toBe(0);
      const up = await lab(['up', file, '-i', instance], { timeout: 90_000 });
      expect(up.exitCode, up.all).toBe(0);
      const seconds = /is up and proven in ([\d.]+) s/.exec(up.all ?? '')?.[1];
      upTimes.push(`${name} ${seconds} s`);
      const journalFile = join(state, name, instance, 'journal.jsonl');
      expect(existsSync(journalFile), journalFile).toBe(true);
      const resources = new Journal(journalFile).resources();
      const links = resources.flatMap((r) => (r.kind === 'link' ? [r.name] : []));
      const processes = resources.flatMap((r) => (r.kind === 'process' && r.pid ? [r] : []));
      expect(processes.length).toBeGreaterThan(0);
      // failures declared as data: each optional step in file order, by name, proving what it
      // breaks and what still holds (lab step exits 0 only then)
      for (const step of stepsOf(file)) {
        const r = await lab(['step', file, step, '-i', instance], { timeout: 90_000 });
        expect(r.exitCode, `${step}\n${r.all}`).toBe(0);
        expect(r.all).not.toMatch(/went against the step/);
      }
      const down = await lab(['down', file, '-i', instance]);
      expect(down.exitCode, down.all).toBe(0);
      expect(namespacesOf(`lab.${name}.${instance}`)).toEqual([]);
      expect(links.filter((l) => existsSync(`/sys/class/net/${l}`))).toEqual([]);
      const alive = processes.filter((r) => isAlive(r.pid!, r.starttime)).map((r) => `${r.node}:${r.name}`);
      expect(alive).toEqual([]);
    },
    // a lab with declared failures runs each: a session that times out takes its hold time
    180_000,
  );
});
