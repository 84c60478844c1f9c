// A step script on a live lab that hangs (lab step) or ends the process (lab up --to): exit 4 naming
// the step, in about its timeout; the instance stays up for a look, then lab down leaves nothing.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { labCli } from '../helpers/cli.js';
import { leftovers } from '../helpers/host.js';
import { copyLab, isRoot, withServiceTimeout } from '../helpers/labs.js';

describe.skipIf(!isRoot)('step limits on a live lab', () => {
  const dir = mkdtempSync(join(tmpdir(), 'lab-step-limits-'));
  const lab = labCli(join(dir, 'state'));
  const instance = `sl${process.pid % 100000}`;
  // bgp-metallb with one worker, its step service's script replaced
  const { copy, file } = copyLab('bgp-metallb', join(dir, 'lab'), (yaml) => withServiceTimeout(yaml, 2));
  const script = (body: string) => writeFileSync(join(copy, 'steps', 'service.mjs'), body);

  afterAll(async () => {
    await lab(['down', file, '-i', instance]);
    rmSync(dir, { recursive: true, force: true });
  });

  it('a hang ends at the timeout with exit 4 naming the step; process.exit(0) is no success', async () => {
    const up = await lab(['up', file, '-i', instance, '--set', 'workers=1', '--to', 'metallb']);
    expect(up.exitCode, up.all).toBe(0);

    script("export default async ({ on }) => { await on('master')`sleep 600`; };\n");
    const started = Date.now();
    const hang = await lab(['step', file, '-i', instance], { timeout: 60_000 });
    expect(hang.exitCode, hang.all).toBe(4);
    expect(hang.stderr).toMatch(/step service: did not finish within 2 s/);
    expect(Date.now() - started).toBeLessThan(20_000);

    // a step that failed is not done: a rebuild runs it again, through lab up this time
    const steps = JSON.parse((await lab(['steps', file, '-i', instance, '--json'])).stdout);
    expect(steps.done).not.toContain('service');
    expect((await lab(['down', file, '-i', instance])).exitCode).toBe(0);
    script('export default async () => { process.exit(0); };\n');
    const exit = await lab(['up', file, '-i', instance, '--set', 'workers=1', '--to', 'service']);
    expect(exit.exitCode, exit.all).toBe(4);
    expect(exit.all).toMatch(/step service: its script ended the process \(process\.exit\(0\)\)/);

    const down = await lab(['down', file, '-i', instance]);
    expect(down.exitCode, down.all).toBe(0);
    expect(leftovers(`lab.bgp-metallb.${instance}`).namespaces).toEqual([]);
  }, 300_000);
});
