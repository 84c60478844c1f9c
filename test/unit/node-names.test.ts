// Messages that name an instance's nodes: bounded at a fabric's size, in the lab's order of numbers,
// and a node lab up made but never reached said as such, not as a node the lab lacks.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { noSuchNodeMessage, someNodeNames } from '../../src/engine/node-names.js';

const dir = mkdtempSync(join(tmpdir(), 'lab-node-names-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const leaves = Array.from({ length: 992 }, (_, i) => `leaf${992 - i}`);

describe('naming nodes in a message', () => {
  it('sorts numbers as numbers and lists all of a few', () => {
    expect(someNodeNames(['leaf10', 'spine1', 'leaf2', 'leaf1'])).toBe('leaf1, leaf2, leaf10, spine1');
  });

  it('names at most a dozen of a thousand, and how many there are', () => {
    const text = someNodeNames([...leaves, 'spine1']);
    expect(text).toBe(
      'leaf1, leaf2, leaf3, leaf4, leaf5, leaf6, leaf7, leaf8, leaf9, leaf10, leaf11, leaf12 and 981 more (993 in all)',
    );
    expect(text.length).toBeLessThan(200);
  });

  it('says a node the journal knows but SSH never reached was made, not missing', () => {
    writeFileSync(
      join(dir, 'journal.jsonl'),
      ['spine1', 'leaf1']
        .map((n) => JSON.stringify({ kind: 'process', id: `process:${n}:holder`, node: n, name: 'holder' }))
        .join('\n'),
    );
    const made = noSuchNodeMessage('clos-fabric', dir, ['spine1'], leaves);
    expect(made).toMatch(/^clos-fabric: spine1 was made, but lab up never reached it over SSH/);
    expect(made).toContain('and 980 more (992 in all)');
    expect(noSuchNodeMessage('clos-fabric', dir, ['leaf999'], ['leaf1'])).toBe(
      'clos-fabric has no node leaf999; its nodes are leaf1',
    );
    expect(noSuchNodeMessage('clos-fabric', dir, ['leaf999', 'spine1'], ['leaf1'])).toBe(
      'clos-fabric has no node leaf999; spine1 was made, but lab up never reached it over SSH (lab status shows what runs; lab down, then lab up again); its nodes are leaf1',
    );
  });
});
