// The workshop's arguments and its pool: counts, names, and at most `width` at once, every item settled.
import { availableParallelism } from 'node:os';
import { describe, expect, it } from 'vitest';
import {
  attendeeNames,
  inPool,
  parseCount,
  parseParallel,
  verifyAttendeeNames,
} from '../../src/engine/workshop.js';
import { DefinitionError } from '../../src/errors.js';

describe('lab up --instances', () => {
  it('takes a whole number of attendees from 1 on, and refuses anything else with exit 2', () => {
    expect(parseCount('30')).toBe(30);
    expect(parseCount(' 1 ')).toBe(1);
    for (const bad of ['0', '-1', '1.5', '1e3', 'two', '', '0x10', '99999999999999999999']) {
      expect(() => parseCount(bad), bad).toThrow(DefinitionError);
      expect(() => parseCount(bad), bad).toThrow(/give a whole number of attendees, 1 or more/);
    }
    expect(parseCount('1000')).toBe(1000);
    expect(() => parseCount('1001')).toThrow(/--instances 1001: at most 1000/);
    expect(parseParallel(undefined)).toBe(Math.min(100, 8 * availableParallelism()));
    expect(() => parseParallel('0')).toThrow(/--parallel 0/);
  });

  it('names the attendees PREFIX-1..N, each a valid instance name', () => {
    expect(attendeeNames('attendee', 3)).toEqual(['attendee-1', 'attendee-2', 'attendee-3']);
    expect(attendeeNames('attendee', 1000).at(-1)).toBe('attendee-1000');
    expect(() => verifyAttendeeNames('attendee', 100000000)).toThrow(
      /attendee-100000000 must be an instance name/,
    );
    expect(() => attendeeNames('Bad', 2)).toThrow(DefinitionError);
  });

  it('runs at most `width` at once and settles every item, failures included, in order', async () => {
    let running = 0;
    let most = 0;
    const results = await inPool([1, 2, 3, 4, 5, 6, 7], 3, async (n) => {
      running++;
      most = Math.max(most, running);
      await new Promise((r) => setTimeout(r, 5 + (n % 3) * 5));
      running--;
      if (n === 4) throw new Error('four failed');
      return n * 10;
    });
    expect(most).toBe(3);
    expect(results.map((r) => (r.status === 'fulfilled' ? r.value : (r.reason as Error).message))).toEqual([
      10,
      20,
      30,
      'four failed',
      50,
      60,
      70,
    ]);
  });
});
