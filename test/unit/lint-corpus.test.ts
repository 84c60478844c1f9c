import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { lintLab } from '../../src/lint/index.js';
import type { Issue } from '../../src/model/issue.js';
import { LabDefinitionError, loadLab, loadLabText } from '../../src/model/load.js';
import { inspectLab } from '../../src/model/open.js';
import { resolveLab } from '../../src/model/resolve.js';
import { FIXTURES, LAB_NAMES, labFile } from '../helpers/labs.js';

const CORPUS = join(FIXTURES, 'lint');
const files = readdirSync(CORPUS)
  .filter((f) => f.endsWith('.yaml'))
  .sort();

function issuesOf(file: string): Issue[] {
  try {
    return inspectLab(file).issues;
  } catch (e) {
    if (e instanceof LabDefinitionError) return e.issues;
    throw e;
  }
}

describe('lint corpus', () => {
  it('holds at least 20 broken definitions', () => expect(files.length).toBeGreaterThanOrEqual(20));

  it.each(files)('%s fails with its code, located and explained', (name) => {
    const file = join(CORPUS, name);
    const expected = /^# expect: ([a-z0-9-]+)/.exec(readFileSync(file, 'utf8'))![1];
    const issues = issuesOf(file);
    const hit = issues.find((i) => i.code === expected);
    expect(hit, `codes: ${issues.map((i) => i.code).join(', ')}`).toBeDefined();
    expect(hit!.line).toBeGreaterThan(0);
    expect(hit!.hint.length).toBeGreaterThan(20);
  });
});

describe('shipped labs', () => {
  it.each(LAB_NAMES)('%s has no lint error', (name) => {
    expect(issuesOf(labFile(name)).filter((i) => i.severity === 'error')).toEqual([]);
  });

  it('bgp-metallb with more workers than BIRD merges by default still gets every next hop', () => {
    const { lab } = resolveLab(loadLab(labFile('bgp-metallb'), ['workers=20']));
    expect(lintLab(lab)).toEqual([]);
    expect(lab.nodes.find((n) => n.name === 'router')!.bgp!.ecmpLimit).toBe(20);
  });
});

describe('host rules', () => {
  const text = readFileSync(labFile('bgp-metallb'), 'utf8').replace(
    'networks:',
    'management: { prefix: 192.0.2.0/24 }\nnetworks:',
  );
  const { lab } = resolveLab(loadLabText(text, 'lab.yaml'));

  it('rejects a management network that shadows a host route', () => {
    const issues = lintLab(lab, { routes: ['192.0.2.0/24'], otherLabs: [] });
    expect(issues.map((i) => i.code)).toContain('mgmt-overlaps-host');
  });

  it('rejects a management network another running lab uses', () => {
    const issues = lintLab(lab, {
      routes: [],
      otherLabs: [{ instance: 'bgp-metallb/blue', prefix: '192.0.2.0/23' }],
    });
    expect(issues.map((i) => i.code)).toContain('mgmt-overlaps-lab');
  });

  it('warns when the host has less memory than the lab needs', () => {
    const issues = lintLab(lab, { routes: [], otherLabs: [], memoryMb: 100 });
    expect(issues.map((i) => i.code)).toContain('host-resources');
  });
});
