// Each lab renders to the files kept under test/golden: a template change shows up as a reviewed diff.
// After an intended change: UPDATE_GOLDEN=1 npx vitest run test/unit/render-golden.test.ts
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openLab } from '../../src/model/open.js';
import { PROJECT_DIR } from '../../src/paths.js';
import { renderLab } from '../../src/render/render-lab.js';
import { CONFORMANCE_LABS, conformanceFile, LAB_NAMES, labFile } from '../helpers/labs.js';

const GOLDEN = join(PROJECT_DIR, 'test', 'golden');
const MODEL = 'lab.json';

function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? filesUnder(p) : [p];
  });
}

function removeEmptyDirs(dir: string): void {
  if (!statSync(dir).isDirectory()) return;
  for (const name of readdirSync(dir)) removeEmptyDirs(join(dir, name));
  if (!readdirSync(dir).length) rmSync(dir, { recursive: true });
}

describe('golden renders', () => {
  it.each(LAB_NAMES)('%s renders exactly its golden files', (name) => {
    const files = renderLab(openLab(labFile(name)).lab);
    const dir = join(GOLDEN, name);
    if (process.env.UPDATE_GOLDEN) {
      // only what differs is written and only what is no longer rendered removed: the goldens stay
      // whole for a test reading them meanwhile (the README runs this beside the unit tests); the
      // resolved model's golden (lab.json, model-golden.test.ts) lives beside the nodes' files
      const wanted = new Set(files.map((f) => join(dir, f.node, f.path)));
      for (const old of filesUnder(dir)) if (!wanted.has(old) && relative(dir, old) !== MODEL) rmSync(old);
      for (const node of readdirSync(dir)) removeEmptyDirs(join(dir, node));
      for (const f of files) {
        const path = join(dir, f.node, f.path);
        const mode = f.mode ?? 0o644;
        if (
          existsSync(path) &&
          readFileSync(path, 'utf8') === f.content &&
          (statSync(path).mode & 0o777) === mode
        )
          continue;
        mkdirSync(dirname(path), { recursive: true });
        rmSync(path, { force: true });
        writeFileSync(path, f.content, { mode });
      }
    }
    const expected = filesUnder(dir)
      .map((f) => relative(dir, f))
      .filter((f) => f !== MODEL)
      .sort();
    expect(files.map((f) => join(f.node, f.path)).sort()).toEqual(expected);
    for (const f of files)
      expect(f.content, `${f.node}:${f.path}`).toBe(readFileSync(join(dir, f.node, f.path), 'utf8'));
  });
});

// Conformance labs whose configs are kept: written by hand once (lab render LAB -o
// test/golden/conformance/NAME, then delete its .lab-rendered), never by the suite.
const CONFORMANCE_GOLDEN = join(GOLDEN, 'conformance');
const kept = CONFORMANCE_LABS.filter((name) => existsSync(join(CONFORMANCE_GOLDEN, name)));

describe('golden renders of conformance labs', () => {
  it('every policy, session-options and failure lab keeps its rendered configs', () => {
    const policy = CONFORMANCE_LABS.filter((name) => /^(policy|session|failure)-/.test(name));
    expect(policy.length).toBeGreaterThan(0);
    expect(policy.filter((name) => !kept.includes(name))).toEqual([]);
  });

  it.each(kept)('%s renders exactly its golden files', (name) => {
    const files = renderLab(openLab(conformanceFile(name)).lab);
    const dir = join(CONFORMANCE_GOLDEN, name);
    expect(files.map((f) => join(f.node, f.path)).sort()).toEqual(
      filesUnder(dir)
        .map((f) => relative(dir, f))
        .sort(),
    );
    for (const f of files)
      expect(f.content, `${f.node}:${f.path}`).toBe(readFileSync(join(dir, f.node, f.path), 'utf8'));
  });
});
