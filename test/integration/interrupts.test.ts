// Interrupted and crashed runs leave nothing behind: Ctrl-C cleans up itself, lab gc cleans up after kill -9.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, describe, expect, it, onTestFinished } from 'vitest';
import { LAB_BIN } from '../helpers/cli.js';
import { leftovers, rootLinks } from '../helpers/host.js';
import { isRoot } from '../helpers/labs.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.skipIf(!isRoot)('interrupted runs', () => {
  const state = mkdtempSync(join(tmpdir(), 'lab-int-'));
  const env = { LAB_STATE_DIR: state };
  afterAll(() => rmSync(state, { recursive: true, force: true }));
  /** Until lab up has begun creating (its journal exists): a loaded host can take a second to get there. */
  const started = async (instance: string) => {
    const journal = join(state, 'bgp-metallb', instance, 'journal.jsonl');
    for (let i = 0; i < 1000 && !existsSync(journal); i++) await sleep(10);
    await sleep(150);
  };

  it('Ctrl-C half-way removes what was created and exits 130', async () => {
    const instance = `ic${process.pid % 100000}`;
    const up = execa('node', [LAB_BIN, 'up', 'bgp-metallb', '-i', instance], {
      env,
      reject: false,
      all: true,
    });
    await started(instance); // half-way: the network is made, nodes are booting
    up.kill('SIGINT');
    const r = await up;
    expect(r.exitCode, r.all).toBe(130);
    expect(r.all).toMatch(/interrupted: everything bgp-metallb \(instance ic\d+\) had created is removed/);
    expect(leftovers(`lab.bgp-metallb.${instance}`)).toEqual({
      namespaces: [],
      links: [],
      mounts: [],
    });
  });

  it('lab gc removes what a killed lab up left', async () => {
    const instance = `ik${process.pid % 100000}`;
    const up = execa('node', [LAB_BIN, 'up', 'bgp-metallb', '-i', instance], { env, reject: false });
    await started(instance);
    await sleep(100);
    up.kill('SIGKILL');
    await up;
    const gc = await execa('node', [LAB_BIN, 'gc'], { env, reject: false, all: true });
    expect(gc.exitCode, gc.all).toBe(0);
    expect(gc.stdout).toMatch(new RegExp(`removed crashed instance bgp-metallb/${instance}`));
    expect(leftovers(`lab.bgp-metallb.${instance}`)).toEqual({
      namespaces: [],
      links: [],
      mounts: [],
    });
    const again = await execa('node', [LAB_BIN, 'gc'], { env, reject: false });
    expect(again.stdout).toBe('nothing to collect');
  });

  it('lab gc removes orphans by name prefix, processes first, and spares labs started from other state folders', async () => {
    const other = mkdtempSync(join(tmpdir(), 'lab-other-'));
    const instance = `ig${process.pid % 100000}`;
    onTestFinished(async () => {
      await execa('node', [LAB_BIN, 'down', 'bgp-metallb', '-i', instance], {
        env: { LAB_STATE_DIR: other },
        reject: false,
      });
      rmSync(other, { recursive: true, force: true });
    });
    const up = await execa('node', [LAB_BIN, 'up', 'bgp-metallb', '-i', instance], {
      env: { LAB_STATE_DIR: other },
      reject: false,
      all: true,
    });
    expect(up.exitCode, up.all).toBe(0);
    // an orphan: a namespace and a root link with our prefixes that no journal lists, a process inside
    const orphan = `lab.orphan-test.o${process.pid % 100000}`;
    const link = `lab${(process.pid % 0xfffff).toString(16).padStart(5, '0')}`;
    await execa('ip', ['netns', 'add', orphan]);
    await execa('ip', ['link', 'add', link, 'type', 'veth', 'peer', 'name', 'o0', 'netns', orphan]);
    const sleeper = execa('ip', ['netns', 'exec', orphan, 'sleep', '300'], { reject: false });
    await sleep(100);
    const gc = await execa('node', [LAB_BIN, 'gc'], { env, reject: false, all: true });
    expect(gc.exitCode, gc.all).toBe(0);
    expect(gc.stdout).toMatch(new RegExp(`removed orphaned namespace ${orphan.replaceAll('.', '\\.')}`));
    expect(gc.stdout).toMatch(new RegExp(`removed orphaned link ${link}`));
    expect((await sleeper).signal).toBe('SIGTERM');
    expect(leftovers(orphan).namespaces).toEqual([]);
    expect(rootLinks()).not.toContain(link);
    // the lab from the other state folder is registered on the host: gc left it running
    const check = await execa('node', [LAB_BIN, 'check', 'bgp-metallb', '-i', instance], {
      env: { LAB_STATE_DIR: other },
      reject: false,
      all: true,
    });
    expect(check.exitCode, check.all).toBe(0);
  });
});
