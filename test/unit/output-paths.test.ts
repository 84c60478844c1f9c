// Places a person names for lab's output (graph -o, nightly --report) and the state folder: `/`, other
// people's folders and links leading out are refused with a code, never an errno; writes never go
// through a link or a second hard link.
import {
  existsSync,
  linkSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { LabError } from '../../src/errors.js';
import {
  appendOutputFile,
  claimAppendFile,
  claimOutputFolder,
  OUTPUT_MARKER,
  writeInside,
  writeTree,
} from '../../src/host/output.js';
import { labCli } from '../helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'lab-output-'));
const lab = labCli(join(dir, 'state'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const target = { what: 'the test files into', flag: '-o' };
const refusal = (f: () => unknown) => {
  try {
    f();
  } catch (e) {
    return e as LabError;
  }
  throw new Error('not refused');
};

describe('writeTree and writeInside', () => {
  it('replaces a file without writing through a second hard link to it', () => {
    const out = join(dir, 'hard');
    writeTree(out, [{ path: 'a/b.txt', content: 'one' }], target);
    const outside = join(dir, 'hard-outside.txt');
    rmSync(join(out, 'a', 'b.txt'));
    writeFileSync(outside, 'precious');
    linkSync(outside, join(out, 'a', 'b.txt'));
    writeTree(out, [{ path: 'a/b.txt', content: 'two' }], target);
    expect(readFileSync(outside, 'utf8')).toBe('precious');
    expect(readFileSync(join(out, 'a', 'b.txt'), 'utf8')).toBe('two');
  });

  it('replaces a link at a file’s place by the file, leaving what it pointed to alone', () => {
    const out = join(dir, 'final-link');
    writeTree(out, [{ path: 'x.txt', content: 'one' }], target);
    const outside = join(dir, 'final-outside.txt');
    writeFileSync(outside, 'precious');
    rmSync(join(out, 'x.txt'));
    symlinkSync(outside, join(out, 'x.txt'));
    writeTree(out, [{ path: 'x.txt', content: 'two' }], target);
    expect(readFileSync(outside, 'utf8')).toBe('precious');
    expect(readFileSync(join(out, 'x.txt'), 'utf8')).toBe('two');
  });

  it('does not follow a hand-edited list out of the folder', () => {
    const out = join(dir, 'manifest');
    writeTree(out, [{ path: 'x.txt', content: 'one' }], target);
    const outside = join(dir, 'manifest-outside.txt');
    writeFileSync(outside, 'precious');
    writeFileSync(join(out, OUTPUT_MARKER), `x.txt\n../manifest-outside.txt\n${outside}\n`);
    writeTree(out, [{ path: 'y.txt', content: 'two' }], target);
    expect(readFileSync(outside, 'utf8')).toBe('precious');
    expect(readdirSync(out).sort()).toEqual([OUTPUT_MARKER, 'y.txt']);
  });

  it('refuses a path that leaves the folder, and a link to a folder on the way', () => {
    const out = claimOutputFolder(join(dir, 'inside'), target);
    expect(() => writeInside(out, '../escape.txt', 'x', target)).toThrow(/not a path inside/);
    symlinkSync(dir, join(out, 'up'));
    const e = refusal(() => writeInside(out, 'up/escape.txt', 'x', target));
    expect([e.code, e.exitCode]).toEqual(['output-symlink', 2]);
    expect(existsSync(join(dir, 'escape.txt'))).toBe(false);
  });

  it('claims / never, nor a folder holding someone else’s files; an empty one it marks', () => {
    expect(refusal(() => claimOutputFolder('/', target)).code).toBe('output-root');
    const theirs = join(dir, 'theirs');
    mkdirSync(theirs);
    writeFileSync(join(theirs, 'notes'), '');
    expect(refusal(() => claimOutputFolder(theirs, target)).code).toBe('output-not-empty');
    // a link named like the marker is not the marker
    const fake = join(dir, 'fake-marker');
    mkdirSync(fake);
    symlinkSync(join(theirs, 'notes'), join(fake, OUTPUT_MARKER));
    expect(refusal(() => claimOutputFolder(fake, target)).code).toBe('output-not-empty');
    const empty = join(dir, 'empty');
    mkdirSync(empty);
    claimOutputFolder(empty, target);
    expect(readdirSync(empty)).toEqual([OUTPUT_MARKER]);
  });
});

describe('lab graph -o', () => {
  it('writes a file, /dev/null, and refuses / and a link leading out (exit 2)', async () => {
    const svg = join(dir, 'pictures', 'topology.svg');
    expect((await lab(['graph', 'bgp-metallb', '-o', svg])).exitCode).toBe(0);
    expect(readFileSync(svg, 'utf8')).toMatch(/<svg/);
    expect((await lab(['graph', 'bgp-metallb', '-o', '/dev/null'])).exitCode).toBe(0);
    const root = await lab(['graph', 'bgp-metallb', '-o', '/']);
    expect(root.exitCode, root.all).toBe(2);
    expect(root.stderr).toMatch(/-o \/ is a folder: give the path of a file/);
    const outside = join(dir, 'graph-outside.txt');
    writeFileSync(outside, 'precious');
    const link = join(dir, 'pictures', 'link.svg');
    symlinkSync(outside, link);
    const r = await lab(['graph', 'bgp-metallb', '-o', link]);
    expect(r.exitCode, r.all).toBe(2);
    expect(r.stderr).toMatch(/is a symbolic link leading out of its folder/);
    expect(readFileSync(outside, 'utf8')).toBe('precious');
  });

  it('a place it cannot write: exit 3 naming -o, no errno, no state folder', async () => {
    const r = await lab(['graph', 'bgp-metallb', '-o', '/proc/lab-test.svg'], { timeout: 20_000 });
    expect(r.exitCode, r.all).toBe(3);
    expect(r.stderr).toMatch(/cannot write the picture into \/proc\/lab-test.svg: it cannot be created/);
    expect(r.stderr).not.toMatch(/ENOENT|LAB_STATE_DIR/);
  });
});

describe('lab nightly --report', () => {
  it('refuses /, a folder it did not write and a device before running anything', async () => {
    const theirs = join(dir, 'report-theirs');
    mkdirSync(theirs);
    writeFileSync(join(theirs, 'index.html'), 'mine');
    for (const [report, message, exit] of [
      ['/', /--report \/: lab does not write into \//, 2],
      [theirs, /--report .* is not empty, and lab did not write it/, 2],
      ['/dev/null', /cannot write the nightly report into \/dev\/null: it is a device, not a folder/, 3],
    ] as const) {
      const started = Date.now();
      const r = await lab(['nightly', 'bgp-metallb', '--report', report]);
      expect(r.exitCode, r.all).toBe(exit);
      expect(r.stderr).toMatch(message);
      expect(Date.now() - started).toBeLessThan(15_000);
    }
    expect(readdirSync(theirs)).toEqual(['index.html']);
  });
});

describe('lab nightly --history', () => {
  const history = { what: 'the nightly history into', flag: '--history' };
  it('appends to a plain file, and never through a link, to a folder or to /', () => {
    const outside = join(dir, 'outside.jsonl');
    writeFileSync(outside, 'theirs\n');
    const link = join(dir, 'history-link.jsonl');
    symlinkSync(outside, link);
    expect(refusal(() => claimAppendFile(link, history)).code).toBe('output-symlink');
    expect(refusal(() => claimAppendFile(dir, history)).code).toBe('output-not-file');
    expect(refusal(() => claimAppendFile('/', history)).code).toBe('output-not-file');
    const file = claimAppendFile(join(dir, 'hist', 'history.jsonl'), history);
    appendOutputFile(file, 'one\n', history);
    appendOutputFile(file, 'two\n', history);
    expect(readFileSync(file, 'utf8')).toBe('one\ntwo\n');
    // a link put in its place after the claim is refused at the write, and what it points to is unchanged
    rmSync(file);
    symlinkSync(outside, file);
    expect(refusal(() => appendOutputFile(file, 'three\n', history)).code).toBe('output-unwritable');
    expect(readFileSync(outside, 'utf8')).toBe('theirs\n');
  });

  it('lab nightly refuses a linked history before running anything (exit 2)', async () => {
    const link = join(dir, 'history-cli-link.jsonl');
    symlinkSync('/etc/hostname', link);
    const report = join(dir, 'report-history');
    const r = await lab(['nightly', 'bgp-metallb', '--report', report, '--history', link]);
    expect(r.exitCode, r.all).toBe(2);
    expect(r.stderr).toMatch(/--history .* is a symbolic link/);
  });
});

describe('a state folder that is a file', () => {
  it.each([['status'], ['gc', '--dry-run'], ['lint', 'bgp-metallb']])(
    'lab %s: exit 3 saying so, not a raw ENOTDIR',
    async (...args) => {
      const file = join(dir, 'state-file');
      writeFileSync(file, 'not a folder');
      const r = await labCli(file)(args);
      expect(r.exitCode, r.all).toBe(3);
      expect(r.stderr).toMatch(/the state folder .*state-file is a file, not a folder/);
      expect(r.stderr).not.toMatch(/ENOTDIR|scandir/);
    },
  );
});
