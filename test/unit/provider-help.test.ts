// --provider's help names the providers of the registry (providers/index.ts), not a list of its own:
// a third provider's line shows there without touching cli/program.ts.
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { PROVIDER_NAMES, providersInWords } from '../../src/providers/index.js';
import { LAB_BIN } from '../helpers/cli.js';

describe('--provider help', () => {
  it('says every provider of the registry, in its order', () => {
    const said = providersInWords();
    const at = PROVIDER_NAMES.map((p) => said.indexOf(p));
    expect(
      at.every((i) => i >= 0),
      said,
    ).toBe(true);
    expect(at).toEqual([...at].sort((a, b) => a - b));
  });

  it.each(['up', 'render'])('lab %s --help says them', async (command) => {
    const r = await execa('node', [LAB_BIN, command, '--help']);
    // commander wraps the line at 80 columns
    expect(r.stdout.replace(/\s+/g, ' ')).toContain(`where the lab runs: ${providersInWords()}; default`);
  });
});
