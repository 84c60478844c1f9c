// READMEs that run: every command the top README and each lab's README show in ```sh blocks runs, in
// order, against live labs, and the output the README shows beside it is compared. The runner is here;
// test/integration/readme*.test.ts give it its READMEs (one file per long README, so that they run side
// by side, each with its own instance name and state folder). The conventions
// (transcripts, text blocks, the `…` wildcard, skip/instead/exit directives) are in
// test/helpers/readme.ts and docs/readme-tests.md.
//
// Commands run as a reader runs them: bash, cwd the checkout, `lab` and `npx lab` the checkout's build
// (node_modules/.bin first on PATH), `npm run lab:up ...` as is. They run on the runner's own copy:
// LAB_STATE_DIR a fresh folder, LAB_INSTANCE (the instance a command without -i reaches) readme-N, so
// a README's `lab up bgp-metallb` neither sees nor touches anyone's default instance. `sudo` is a
// pass-through (the runner is root; a real sudo would drop LAB_STATE_DIR). After each README every
// instance of the state folder is brought down, and the test fails on what is left: namespaces, root
// links, mounts, files the commands left in the checkout.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  chmodSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_DIR } from '../../src/paths.js';
import { instanceTag } from '../../src/providers/netns/names.js';
import { shellQuote } from '../../src/shell-quote.js';
import { labCli } from './cli.js';
import { labMounts, namespacesOf, rootLinks } from './host.js';
import { isRoot, LAB_NAMES } from './labs.js';
import { compareOutput, parseReadme, type ReadmeBlock } from './readme.js';

/** Every README the runner runs: the top one and each lab's. */
export const ALL_READMES = ['README.md', ...LAB_NAMES.map((l) => join('labs', l, 'README.md'))].filter((f) =>
  existsSync(join(PROJECT_DIR, f)),
);
/** The READMEs with a test file of their own (test/integration/readme-<lab>.test.ts); readme.test.ts
 * runs every other one, so that a new lab's README runs without a new file. */
export const OWN_FILE = ['bgp-metallb', 'cilium-clustermesh', 'multi-coe-calico', 'tf-multicluster'].map(
  (l) => join('labs', l, 'README.md'),
);
const INSTANCE = `readme-${process.pid % 100000}`;

interface Ran {
  output: string;
  exitCode: number | null;
  timedOut: boolean;
}

/** One command through bash, stdout and stderr into one stream in the order written. */
function runCommand(command: string, env: NodeJS.ProcessEnv, timeoutS: number): Promise<Ran> {
  return new Promise((resolve) => {
    const child = spawn('bash', ['-o', 'pipefail', '-c', `exec 2>&1\n${command}`], {
      cwd: PROJECT_DIR,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true, // its own process group: a timeout stops the command and what it started
    });
    let output = '';
    child.stdout.on('data', (d) => {
      output += d;
    });
    child.stderr.on('data', (d) => {
      output += d;
    });
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      if (child.pid) process.kill(-child.pid, 'SIGTERM');
    }, timeoutS * 1000);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ output, exitCode: code, timedOut });
    });
  });
}

/** `git status` lines, ignored paths included, to find what README commands left in the checkout;
 * each changed or new file (not ignored) with its content's hash, so that a file already modified
 * before the README ran and rewritten by it (a golden) shows as a changed line too. */
async function checkoutStatus(): Promise<string[]> {
  const git = (args: string[]) => execa('git', args, { cwd: PROJECT_DIR, reject: false });
  const ignored = await git(['status', '--porcelain', '--ignored']);
  const changed = await git(['status', '--porcelain', '--untracked-files=all']);
  if (ignored.exitCode !== 0 || changed.exitCode !== 0) return [];
  const lines = ignored.stdout.split('\n').filter((l) => l.startsWith('!! '));
  for (const l of changed.stdout.split('\n').filter(Boolean)) {
    const file = join(PROJECT_DIR, l.slice(3).replace(/^.* -> /, ''));
    let hash = 'gone';
    try {
      hash = createHash('sha256').update(readFileSync(file)).digest('hex');
    } catch {}
    lines.push(`${l} ${hash.slice(0, 12)}`);
  }
  return lines;
}

const tally: string[] = [];

/** A command's path on this process's PATH (the shims' folder is not on it). */
function realCommand(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(':'))
    if (dir && existsSync(join(dir, name))) return join(dir, name);
  return undefined;
}

/** Runs these READMEs, one after another, in one state folder; README_ONLY=labs/bgp-metallb/README.md
 * (comma-separated) runs those alone, while writing one. */
export function runReadmes(files: string[]): void {
  if (!isRoot) console.warn('README runner skipped: README commands create namespaces and need root');
  const only = process.env.README_ONLY?.split(',');
  const READMES = files.filter((f) => !only || only.includes(f));
  describe.skipIf(!isRoot || !READMES.length)('READMEs run', () => readmes(READMES));
}

function readmes(READMES: string[]): void {
  const state = mkdtempSync(join(tmpdir(), 'lab-readme-'));
  const shims = mkdtempSync(join(tmpdir(), 'lab-readme-bin-'));
  // a reader's shell: no vitest variables (a README's own `npx vitest run` must not think it is a worker)
  const env: NodeJS.ProcessEnv = {
    // nor UPDATE_GOLDEN: a README command never rewrites goldens, even under a person's UPDATE_GOLDEN=1 run
    ...Object.fromEntries(
      Object.entries(process.env).filter(([k]) => !/^(VITEST|TINYPOOL|UPDATE_GOLDEN$)/.test(k)),
    ),
    NODE_ENV: undefined,
    LAB_STATE_DIR: state,
    LAB_INSTANCE: INSTANCE,
    PATH: `${shims}:${join(PROJECT_DIR, 'node_modules', '.bin')}:${process.env.PATH}`,
    NO_COLOR: '1',
  };
  const lab = labCli(state);

  beforeAll(() => {
    writeFileSync(
      join(shims, 'sudo'),
      '#!/bin/sh\n# the README runner is root: sudo passes through, keeping LAB_STATE_DIR\nexec "$@"\n',
    );
    chmodSync(join(shims, 'sudo'), 0o755);
    // `npx lab ...` starts what npx finds in the checkout, node_modules/.bin/lab, without npm's own
    // start: ~0.6 s of CPU a call here, and the READMEs make about a hundred (cli-help.test.ts runs the
    // real npx once). Any other npx command is npx's
    const npx = realCommand('npx');
    writeFileSync(
      join(shims, 'npx'),
      `#!/bin/sh\nif [ "$1" = lab ]; then shift; exec ${shellQuote(join(PROJECT_DIR, 'node_modules', '.bin', 'lab'))} "$@"; fi\nexec ${npx ? shellQuote(npx) : 'false'} "$@"\n`,
    );
    chmodSync(join(shims, 'npx'), 0o755);
  });

  afterAll(() => {
    rmSync(shims, { recursive: true, force: true });
    rmSync(state, { recursive: true, force: true });
    console.log(`README runner (instance ${INSTANCE}):\n${tally.map((t) => `  ${t}`).join('\n')}`);
  });

  /** The instances the runner's state folder holds (lab, instance), remembered: a README's own
   * `lab down` removes the folder, not the need to look for what it left. */
  const seen = new Set<string>();
  function lookAtState(): [string, string][] {
    const now: [string, string][] = [];
    for (const labName of existsSync(state) ? readdirSync(state) : []) {
      try {
        for (const d of readdirSync(join(state, labName), { withFileTypes: true }))
          if (d.isDirectory() && existsSync(join(state, labName, d.name, 'instance.json'))) {
            now.push([labName, d.name]);
            seen.add(`${labName}/${d.name}`);
          }
      } catch {}
    }
    return now;
  }

  /** Every instance in the runner's state folder, brought down; what is left on the host of any
   * instance it ever held (other runs' namespaces and links are not ours to judge). */
  async function downAll(): Promise<string[]> {
    const left: string[] = [];
    for (const [labName, i] of lookAtState()) {
      const r = await lab(['down', labName, '-i', i]);
      if (r.exitCode !== 0) left.push(`lab down ${labName} -i ${i}: exit ${r.exitCode}: ${r.all}`);
    }
    for (const labName of LAB_NAMES) seen.add(`${labName}/${INSTANCE}`);
    const pairs = [...seen].map((p) => p.split('/') as [string, string]);
    for (const [labName, i] of pairs) {
      for (const n of namespacesOf(`lab.${labName}.${i}`).filter((n) => n.split('.')[2] === i))
        left.push(`namespace ${n}`);
      const link = `lab${instanceTag(labName, i)}`;
      if (rootLinks().includes(link)) left.push(`link ${link} (${labName} ${i})`);
    }
    for (const m of labMounts()) if (m.includes(state)) left.push(`mount ${m}`);
    return left;
  }

  for (const file of READMES) {
    const blocks: ReadmeBlock[] = parseReadme(readFileSync(join(PROJECT_DIR, file), 'utf8'), file);
    const ran = blocks.filter((b) => !b.skip);
    const skipped = blocks.filter((b) => b.skip);

    describe(file, () => {
      let statusBefore: string[] = [];
      let started = 0;
      beforeAll(async () => {
        statusBefore = await checkoutStatus();
        started = Date.now();
      });
      afterAll(async () => {
        const commands = ran.reduce((n, b) => n + b.commands.length, 0);
        const stand = skipped.filter((b) => b.instead).length;
        tally.push(
          `${file}: ${ran.length} blocks ran (${commands} commands), ${skipped.length} skipped${stand ? ` (${stand} with a stand-in)` : ''}, in ${((Date.now() - started) / 1000).toFixed(0)} s` +
            skipped.map((b) => `\n    line ${b.line}: ${b.skip}`).join(''),
        );
      });

      for (const block of blocks) {
        const [first] = block.commands;
        const more = block.commands.length > 1 ? ` (and ${block.commands.length - 1} more)` : '';
        const title = `line ${block.line}: ${first?.command.split('\n')[0].replace(/\s+#.*$/, '')}${more}`;
        if (block.skip && !block.instead) {
          it.skip(`${title} (skipped: ${block.skip})`, () => {});
          continue;
        }
        const commands = block.instead
          ? [{ command: block.instead, line: block.line, exit: 0, expect: undefined }]
          : block.commands;
        const name = block.instead
          ? `line ${block.line}: instead: ${block.instead} (skipped: ${block.skip})`
          : title;
        it(
          name,
          async () => {
            let all = '';
            for (const c of commands) {
              const r = await runCommand(c.command, env, block.timeoutS);
              lookAtState();
              const where = `${file}:${c.line}: ${c.command}`;
              expect(r.timedOut, `${where}\ntimed out after ${block.timeoutS} s; output:\n${r.output}`).toBe(
                false,
              );
              expect(
                r.exitCode,
                `${where}\nexit ${r.exitCode}, expected ${c.exit}; output:\n${r.output}`,
              ).toBe(c.exit);
              if (c.expect) {
                const cmp = compareOutput(c.expect, r.output);
                expect(cmp.ok, `${where}\noutput drifted from the README:\n${cmp.explanation}`).toBe(true);
              }
              all += r.output.endsWith('\n') || r.output === '' ? r.output : `${r.output}\n`;
            }
            if (block.expect) {
              const cmp = compareOutput(block.expect.lines, all);
              expect(
                cmp.ok,
                `${file}:${block.expect.line}: output drifted from the README's text block:\n${cmp.explanation}`,
              ).toBe(true);
            }
          },
          commands.length * block.timeoutS * 1000 + 10_000,
        );
      }

      it('leaves nothing: every instance down, no namespace, link or mount, nothing new in the checkout', async () => {
        const left = await downAll();
        const now = await checkoutStatus();
        const added = now.filter((l) => !statusBefore.includes(l));
        // output the project declares generated (.gitignore: a nightly report) that this README's
        // commands name goes (another file's, run beside it, is not ours to remove); anything else a
        // README command changed in the checkout fails the test, and is left for a look
        const named = (path: string) => blocks.some((b) => b.commands.some((c) => c.command.includes(path)));
        for (const l of added.filter((l) => l.startsWith('!! ') && named(l.slice(3).replace(/\/$/, ''))))
          rmSync(join(PROJECT_DIR, l.slice(3)), { recursive: true, force: true });
        expect(left).toEqual([]);
        expect(
          added.filter((l) => !l.startsWith('!! ')),
          'README commands changed the checkout',
        ).toEqual([]);
      }, 120_000);
    });
  }
}
