// Boots take turns (src/providers/netns/turns.ts): a bounded number under way, the rest in the lab's
// order whatever order they were asked in, a freed turn going to the next, and Ctrl-C starting what
// still waits at once (to fail it) instead of leaving it to boot.
import { describe, expect, it } from 'vitest';
import { Turns } from '../../src/providers/netns/turns.js';

const item = (started: string[], key: string, order: number) => ({
  key,
  order,
  start: () => started.push(key),
});

describe('boot turns', () => {
  it('runs at most the limit at once, lowest order first, whichever batch came first', () => {
    const started: string[] = [];
    const turns = new Turns(2);
    // the leaves' files were written first, the spines' later
    turns.add([item(started, 'leaf1', 2), item(started, 'leaf2', 3), item(started, 'leaf3', 4)]);
    expect(started).toEqual(['leaf1', 'leaf2']);
    turns.add([item(started, 'spine2', 1), item(started, 'spine1', 0)]);
    expect(started).toEqual(['leaf1', 'leaf2']);
    turns.done('leaf2');
    expect(started).toEqual(['leaf1', 'leaf2', 'spine1']);
    expect(turns.underWay).toBe(2);
    // a key done twice, or one never started, frees nothing more
    turns.done('leaf2');
    turns.done('leaf3');
    expect(started).toHaveLength(3);
    turns.done('leaf1');
    turns.done('spine1');
    expect(started).toEqual(['leaf1', 'leaf2', 'spine1', 'spine2', 'leaf3']);
  });

  it('a start that ends its own turn at once lets the next one go', () => {
    const started: string[] = [];
    const turns = new Turns(1);
    turns.add([
      {
        key: 'a',
        order: 0,
        start: () => {
          started.push('a');
          turns.done('a');
        },
      },
      item(started, 'b', 1),
      item(started, 'c', 2),
    ]);
    expect(started).toEqual(['a', 'b']);
  });

  it('starts everything still waiting once aborted, holding no turn for it', () => {
    const started: string[] = [];
    const ctl = new AbortController();
    const turns = new Turns(1, ctl.signal);
    turns.add([item(started, 'a', 0), item(started, 'b', 1), item(started, 'c', 2)]);
    expect(started).toEqual(['a']);
    ctl.abort();
    expect(started).toEqual(['a', 'b', 'c']);
    expect(turns.underWay).toBe(1);
  });
});
