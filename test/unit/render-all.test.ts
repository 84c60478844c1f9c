// Every lab that lint passes renders without a template crash: the shipped labs, the conformance set,
// the render fixtures (shapes that once crashed) and every lint fixture whose issues are only warnings.
// A template field that can be undefined for a lint-clean lab fails here, not at `lab up`.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Issue } from '../../src/core/issue.js';
import { LabDefinitionError } from '../../src/model/load.js';
import { inspectLab, openLab } from '../../src/model/open.js';
import { renderLab } from '../../src/render/render-lab.js';
import { CONFORMANCE_LABS, conformanceFile, FIXTURES, LAB_NAMES, labFile } from '../helpers/labs.js';

const yamlIn = (dir: string) =>
  readdirSync(dir)
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .map((f) => join(dir, f));

function errorsOf(file: string): Issue[] {
  try {
    return inspectLab(file).issues.filter((i) => i.severity === 'error');
  } catch (e) {
    if (e instanceof LabDefinitionError) return e.issues;
    throw e;
  }
}

const lintClean = [
  ...LAB_NAMES.map(labFile),
  ...CONFORMANCE_LABS.map(conformanceFile),
  ...yamlIn(join(FIXTURES, 'render')),
  ...yamlIn(join(FIXTURES, 'lint')).filter((f) => errorsOf(f).length === 0),
];

describe('every lint-clean lab renders', () => {
  it('covers the shipped labs, the conformance set, the render fixtures and warning-only lint fixtures', () => {
    expect(lintClean.length).toBeGreaterThan(LAB_NAMES.length + CONFORMANCE_LABS.length);
  });

  it.each(lintClean.map((f) => [f.replace(/^.*\/(test|labs)\//, ''), f]))('%s', (_name, file) => {
    expect(errorsOf(file)).toEqual([]);
    const files = renderLab(openLab(file).lab);
    // a lab of hosts and static routes only has nothing to render; the rest must have no empty value
    for (const f of files) {
      expect(f.content, `${f.node}:${f.path}`).not.toMatch(/\bundefined\b|\bNaN\b|\[object Object\]/);
      expect(f.content, `${f.node}:${f.path}`).not.toMatch(/\b(router id|router-id) *;?$/m);
    }
  });
});
