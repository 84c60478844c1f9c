// The escapers every artifact goes through, and the version fields' strict shape.

import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { LabDefinitionError, loadLabText } from '../../src/model/load.js';
import { oneLine, shellComment, shellQuote } from '../../src/shell-quote.js';
import { labFile } from '../helpers/labs.js';

const HOSTILE = '0.14.8\ntouch /tmp/x #\'"$(id)`id`\r\u2028';

describe('bash', () => {
  it('a comment stays one line and a quoted value one word, whatever they say', () => {
    const script = `${shellComment(HOSTILE)}\nprintf '%s\\n' ${shellQuote(HOSTILE)}\n`;
    expect(script.split('\n')).toHaveLength(3 + HOSTILE.split('\n').length - 1);
    expect(shellComment(HOSTILE)).not.toMatch(/[\n\r\u2028]/);
    expect(execFileSync('bash', ['-c', script], { encoding: 'utf8' })).toBe(`${HOSTILE}\n`);
    expect(oneLine('a\tb\u0000c')).toBe('a\\tb\\u0000c');
  });
});

describe('version fields', () => {
  const base = parse(readFileSync(labFile('bgp-metallb'), 'utf8'));
  it.each([
    ['chart_version', ['clusters', 'k8s', 'addons', 'metallb', 'chart_version']],
    ['kubernetes_version', ['clusters', 'k8s', 'kubernetes_version']],
  ])('%s with a newline and a command is refused by the schema', (_field, path) => {
    const lab = structuredClone(base);
    let at = lab;
    for (const k of path.slice(0, -1)) at = at[k];
    at[path[path.length - 1]] = HOSTILE;
    try {
      loadLabText(stringify(lab), labFile('bgp-metallb'));
      expect.unreachable('the hostile version was accepted');
    } catch (e) {
      expect(e).toBeInstanceOf(LabDefinitionError);
      const issues = (e as LabDefinitionError).issues;
      expect(issues.map((i) => [i.code, i.path.join('.')])).toContainEqual(['schema', path.join('.')]);
    }
  });
});

it('the shipped versions keep their shape: Tungsten Fabric image tags too', () => {
  for (const lab of ['bgp-metallb', 'cilium-clustermesh', 'multi-coe-calico', 'tf-multicluster'])
    expect(() => loadLabText(readFileSync(labFile(lab), 'utf8'), labFile(lab))).not.toThrow();
});
