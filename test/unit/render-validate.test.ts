// lab render --validate: each daemon's file checked by that daemon's own tool; a file the tool faults
// fails the command (exit 2, config-invalid) naming the node and file, with the tool's own words.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { validateRendered } from '../../src/cli/commands/render-validate.js';
import { DefinitionError } from '../../src/errors.js';
import { hasCommand } from '../../src/host/has-command.js';
import { labCli } from '../helpers/cli.js';

const good = 'router id 10.0.0.1;\nprotocol device {}\n';
// a BIRD file whose neighbor lacks its AS: bird -p says which line
const bad =
  'router id 10.0.0.1;\nprotocol bgp w1 { local as 65000; neighbor 10.0.0.2; ipv4 { import all; }; }\n';

describe.skipIf(!hasCommand('bird'))('lab render --validate', () => {
  it("passes files their tool accepts, and fails naming the node, the file and the tool's words", async () => {
    const files = [
      { node: 'r1', path: '/etc/bird/bird.conf', content: good, validator: 'bird' as const },
      { node: 'r2', path: '/etc/bird/bird.conf', content: bad, validator: 'bird' as const },
      { node: 'r3', path: '/etc/hosts', content: 'not checked' },
    ];
    expect((await validateRendered(files.slice(0, 1))).map((v) => v.ok)).toEqual([true]);
    const failure = await validateRendered(files).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(DefinitionError);
    const e = failure as DefinitionError;
    expect([e.exitCode, e.code]).toEqual([2, 'config-invalid']);
    expect(e.message).toMatch(
      /1 of 2 rendered files fail their daemon's own check: r2 \/etc\/bird\/bird\.conf/,
    );
    const verdicts = (e.json as { files: { node: string; ok: boolean; output: string }[] }).files;
    expect(verdicts.map((v) => [v.node, v.ok])).toEqual([
      ['r1', true],
      ['r2', false],
    ]);
    expect(verdicts[1].output).toMatch(/r2:\/etc\/bird\/bird\.conf:2:\d+ Remote AS number/);
  });

  it('the command checks every rendered daemon file of a lab and says so', async () => {
    const state = mkdtempSync(join(tmpdir(), 'lab-rv-'));
    try {
      const out = join(state, 'out');
      const r = await labCli(state)(['render', 'bgp-metallb', '-o', out, '--validate']);
      expect(r.exitCode, r.all).toBe(0);
      expect(r.stdout).toMatch(/✔ router \/etc\/bird\/bird\.conf \(bird -p\)/);
      expect(r.stdout).toMatch(/5 rendered files pass their daemons' own checks/);
    } finally {
      rmSync(state, { recursive: true, force: true });
    }
  });
});
