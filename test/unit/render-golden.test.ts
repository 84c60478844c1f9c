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

describe('golden renders', () => {
  it.each(LAB_NAMES)('%s renders exactly its golden files', (name) => {
    const files = renderLab(openLab(labFile(name)).lab);
    const dir = join(GOLDEN, name);
    if (process.env.UPDATE_GOLDEN) {
      // the resolved model's golden (lab.json, model-golden.test.ts) lives beside the nodes' files
      for (const node of readdirSync(dir)) if (node !== MODEL) rmSync(join(dir, node), { recursive: true });
      for (const f of files) {
        mkdirSync(dirname(join(dir, f.node, f.path)), { recursive: true });
        writeFileSync(join(dir, f.node, f.path), f.content, { mode: f.mode ?? 0o644 });
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
