// LAB_STATE_DIR that cannot be lab's own (/, a system folder, a file, someone's files) is refused by
// every command before it runs, with its code (JSON under --json), creating nothing; a state folder lab
// wrote, with or without its marker, still works.

import { execFileSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createInstanceDir } from '../../src/engine/state.js';
import { STATE_MARKER } from '../../src/engine/state-root.js';
import { labCli } from '../helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'lab-state-root-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const COMMANDS = [
  ['status'],
  ['gc', '--dry-run'],
  ['list'],
  ['render', 'bgp-metallb', '-i', 'robst'],
  ['check', 'bgp-metallb', '-i', 'robst'],
  ['down', 'bgp-metallb', '-i', 'robst'],
  ['nightly', 'bgp-metallb', '--report', join(dir, 'nightly-report')],
];

/** The names in a folder and their change times: what a refused command must leave as it was. */
const snapshot = (folder: string) =>
  readdirSync(folder)
    .sort()
    .map((n) => `${n}@${statSync(join(folder, n)).mtimeMs}`);

describe('a state folder of the system', () => {
  it.each(['/', '/etc', '/usr', '/var', '/proc', '/proc/self', '/tmp', '/dev/null'])(
    'LAB_STATE_DIR=%s: every command exits 2 (state-root) before doing anything',
    async (root) => {
      for (const args of COMMANDS) {
        const r = await labCli(root)(args);
        expect(r.exitCode, `${args.join(' ')}: ${r.all}`).toBe(2);
        expect(r.stderr).toMatch(/LAB_STATE_DIR=.*(a folder of the system|a file system of the kernel's)/);
        expect(r.stderr).toMatch(/Set LAB_STATE_DIR to a new or empty folder/);
      }
      // others write in /tmp meanwhile: what lab would have made there is looked for by name
      for (const made of ['bgp-metallb', STATE_MARKER]) expect(existsSync(join(root, made))).toBe(false);
      expect(existsSync(join(dir, 'nightly-report'))).toBe(false);
    },
    60_000,
  );

  it('a link to /etc is /etc', async () => {
    const link = join(dir, 'link-to-etc');
    symlinkSync('/etc', link);
    const r = await labCli(link)(['status', '--json']);
    expect(r.exitCode, r.all).toBe(2);
    expect(JSON.parse(r.stdout)).toMatchObject({ ok: false, code: 'state-root', exitCode: 2 });
  });
});

describe('a state folder that is no folder', () => {
  it('a named pipe: exit 3 saying what it is, nothing opened or made', async () => {
    const fifo = join(dir, 'fifo');
    execFileSync('mkfifo', [fifo]);
    const r = await labCli(fifo)(['status', '--json']);
    expect(r.exitCode, r.all).toBe(3);
    expect(JSON.parse(r.stdout)).toMatchObject({
      code: 'state-unwritable',
      message: expect.stringMatching(/is a device, pipe or socket, not a folder/),
    });
  });
});

describe("a folder of someone else's files", () => {
  it('is refused by every command (exit 2, state-not-empty, JSON under --json), and left as it was', async () => {
    const theirs = join(dir, 'theirs');
    mkdirSync(join(theirs, 'photos'), { recursive: true });
    writeFileSync(join(theirs, 'notes.txt'), 'mine');
    writeFileSync(join(theirs, 'photos', 'cat.jpg'), 'meow');
    const before = snapshot(theirs);
    for (const args of COMMANDS) {
      const r = await labCli(theirs)(args);
      expect(r.exitCode, `${args.join(' ')}: ${r.all}`).toBe(2);
      expect(r.stderr).toMatch(
        /is not empty, and lab did not write it: it holds "notes.txt", "photos\/cat.jpg"/,
      );
    }
    const json = await labCli(theirs)(['status', '--json']);
    expect(JSON.parse(json.stdout)).toMatchObject({ ok: false, code: 'state-not-empty', exitCode: 2 });
    expect(snapshot(theirs)).toEqual(before);
    expect(existsSync(join(theirs, STATE_MARKER))).toBe(false);
  }, 60_000);

  it('a folder holding only a lab-named folder of files is not taken for a lab', async () => {
    const theirs = join(dir, 'shaped');
    mkdirSync(join(theirs, 'docs', 'guide'), { recursive: true });
    writeFileSync(join(theirs, 'docs', 'guide', 'index.md'), '# guide');
    const r = await labCli(theirs)(['gc', '--dry-run']);
    expect(r.exitCode, r.all).toBe(2);
    expect(r.stderr).toMatch(/"docs\/guide"/);
  });
});

describe("lab's own state folder", () => {
  it("a new folder, then one lab wrote, is used, and marked as lab's", async () => {
    const root = join(dir, 'fresh');
    const lab = labCli(root);
    expect((await lab(['status'])).exitCode).toBe(0);
    expect(existsSync(root)).toBe(false); // a command that writes nothing made nothing
    const render = await lab(['render', 'bgp-metallb', '-i', 'robst']);
    expect(render.exitCode, render.all).toBe(0);
    expect(existsSync(join(root, STATE_MARKER))).toBe(true);
    // the state folder may hold other things once it is lab's (a report beside the instances)
    mkdirSync(join(root, 'report'));
    writeFileSync(join(root, 'report', 'results.json'), '{}');
    expect((await lab(['status'])).exitCode).toBe(0);
  });

  it('one written before the marker existed is known by its shape, and marked', async () => {
    const root = join(dir, 'older');
    const instance = join(root, 'bgp-metallb', 'robst');
    mkdirSync(join(instance, 'ssh'), { recursive: true });
    mkdirSync(join(instance, 'rendered'), { recursive: true });
    writeFileSync(join(instance, 'journal.jsonl'), '');
    mkdirSync(join(root, '.serve'));
    writeFileSync(join(root, '.serve', 'bgp-metallb.attendee.json'), '{}');
    const r = await labCli(root)(['gc', '--dry-run']);
    expect(r.exitCode, r.all).toBe(0);
    expect(existsSync(join(root, STATE_MARKER))).toBe(true);
  });

  it('one a lab up is filling right now (its scratch fstabs there, no mark yet) is used', async () => {
    // a second command started in the same new folder while the first lab up mounts its nodes' folders
    const root = join(dir, 'filling');
    const instance = join(root, 'tf-multicluster', 'robtf');
    mkdirSync(join(instance, 'ssh'), { recursive: true });
    mkdirSync(join(instance, 'nodes'));
    for (const f of ['instance.json', 'journal.jsonl', 'events.jsonl', 'folders.fstab', 'namespaces.fstab'])
      writeFileSync(join(instance, f), '');
    const r = await labCli(root)(['status']);
    expect(r.exitCode, r.all).toBe(0);
  });

  it('is marked as soon as lab makes an instance folder in it, not only when the command ends', () => {
    const root = join(dir, 'marked-early');
    const before = process.env.LAB_STATE_DIR;
    process.env.LAB_STATE_DIR = root;
    try {
      createInstanceDir('bgp-metallb', 'robmk');
    } finally {
      process.env.LAB_STATE_DIR = before;
    }
    expect(existsSync(join(root, STATE_MARKER))).toBe(true);
  });

  it('an empty folder is used', async () => {
    const root = join(dir, 'empty');
    mkdirSync(root);
    const r = await labCli(root)(['status', '--json']);
    expect(r.exitCode, r.all).toBe(0);
    // a command that writes nothing (or is refused) leaves it empty
    const bad = await labCli(root)(['up', 'no-such-lab']);
    expect(bad.exitCode, bad.all).toBe(2);
    expect(readdirSync(root)).toEqual([]);
  });
});
