// A node is no window onto the host: from a shell on a node, the host is read-only, /tmp and /home are
// the node's own, and no lab state folder (keys, journals, other instances) nor /run/lab is there.
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_DIR } from '../../src/paths.js';
import { labCli } from '../helpers/cli.js';
import { isRoot } from '../helpers/labs.js';

describe.skipIf(!isRoot)('the node sandbox', () => {
  // one instance's state folder outside /tmp (in the checkout, under node_modules/.cache: git status
  // stays as it was for the README runner beside it), the other's in /tmp: both hidden
  const stateA = join(PROJECT_DIR, 'node_modules', '.cache', `lab-sandbox-test-${process.pid}`);
  const stateB = mkdtempSync(join(tmpdir(), 'lab-sandbox-'));
  const labA = labCli(stateA);
  const labB = labCli(stateB);
  const [a, b] = [`sba${process.pid % 100000}`, `sbb${process.pid % 100000}`];
  const keyOf = (state: string, instance: string) =>
    join(state, 'bgp-metallb', instance, 'ssh', 'id_ed25519');

  beforeAll(async () => {
    mkdirSync(stateA, { recursive: true });
    const upA = await labA(['up', 'bgp-metallb', '-i', a, '--set', 'workers=1']);
    expect(upA.exitCode, upA.all).toBe(0);
    const upB = await labB(['up', 'bgp-metallb', '-i', b, '--set', 'workers=1']);
    expect(upB.exitCode, upB.all).toBe(0);
  }, 120_000);

  afterAll(async () => {
    await labA(['down', 'bgp-metallb', '-i', a]);
    await labB(['down', 'bgp-metallb', '-i', b]);
    rmSync(stateA, { recursive: true, force: true });
    rmSync(stateB, { recursive: true, force: true });
  }, 60_000);

  const onNode = (lab: typeof labA, instance: string, node: string, script: string) =>
    lab(['exec', 'bgp-metallb', '-i', instance, node, '--', script]);

  it("hides every instance's keys and state, its own included, and /run/lab", async () => {
    expect(existsSync(keyOf(stateA, a)) && existsSync(keyOf(stateB, b)), 'the keys exist on the host').toBe(
      true,
    );
    for (const key of [keyOf(stateA, a), keyOf(stateB, b)]) {
      const r = await onNode(labB, b, 'router', `cat ${key}`);
      expect(r.exitCode, `${key} was readable from a node`).not.toBe(0);
      expect(r.stdout).not.toMatch(/PRIVATE KEY/);
    }
    const r = await onNode(labA, a, 'worker1', `ls -A ${stateA} | wc -l; ls /run/lab 2>&1`);
    expect(r.stdout).toMatch(/^0\n/);
    expect(r.stdout).toMatch(/cannot access '\/run\/lab'/);
  });

  it("sees its own processes only: no host process's /proc/PID/root to read the host through", async () => {
    const r = await onNode(
      labA,
      a,
      'worker1',
      `ps -e -o comm= | sort | tr '\\n' ' '; echo; for p in /proc/[0-9]*; do cat "$p/root${keyOf(stateB, b)}" 2>/dev/null; done; test -e /proc/${process.pid} && echo host-pid-visible; true`,
    );
    const [procs, ...rest] = r.stdout.split('\n');
    expect(procs).toMatch(/\bbird\b/);
    expect(procs).toMatch(/\bsshd\b/);
    expect(procs).not.toMatch(/\b(node|vitest|systemd)\b/);
    expect(rest.join('\n')).not.toMatch(/PRIVATE KEY|host-pid-visible/);
  });

  it('cannot write the host: the checkout and /usr are read-only', async () => {
    const r = await onNode(labB, b, 'client', `touch ${PROJECT_DIR}/sandbox-escape /usr/sandbox-escape 2>&1`);
    expect(r.stdout).toMatch(
      /sandbox-escape': Read-only file system[\s\S]*sandbox-escape': Read-only file system/,
    );
    expect(existsSync(join(PROJECT_DIR, 'sandbox-escape'))).toBe(false);
  });

  it("keeps /tmp, /home and /var the node's own: not the host's, not another node's", async () => {
    const mark = `sandbox-${process.pid}`;
    const w = await onNode(
      labB,
      b,
      'router',
      `echo x > /tmp/${mark} && echo y > /home/${mark} && echo z > /var/${mark} && cat /tmp/${mark} /home/${mark} /var/${mark}`,
    );
    expect(w.stdout, w.all).toMatch(/^x\ny\nz\s*$/);
    for (const dir of ['/tmp', '/home', '/var'])
      expect(existsSync(join(dir, mark)), `${dir} leaked to the host`).toBe(false);
    const other = await onNode(labB, b, 'client', `cat /tmp/${mark} /home/${mark} /var/${mark} 2>&1`);
    expect(other.stdout).not.toMatch(/^[xyz]$/m);
  });
});
