// `lab --help` prints the text npm run build stored (dist/cli/help.txt) without loading commander:
// it must be what commander prints (`lab help`), or a command added since the build would be missing.
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { PROJECT_DIR } from '../../src/paths.js';
import { LAB_BIN } from '../helpers/cli.js';

describe('lab --help', () => {
  it("prints commander's own help, byte for byte, and exits 0", async () => {
    const commander = await execa('node', [LAB_BIN, 'help']);
    for (const flag of ['--help', '-h']) {
      const stored = await execa('node', [LAB_BIN, flag]);
      expect(stored.exitCode).toBe(0);
      expect(stored.stdout).toBe(commander.stdout);
    }
    expect(commander.stdout).toContain('lint [options] <lab>');
  });

  it("a command's own --help still comes from commander", async () => {
    const r = await execa('node', [LAB_BIN, 'lint', '--help']);
    expect(r.stdout).toContain('Usage: lab lint [options] <lab>');
  });

  // the README runner starts `npx lab` as node_modules/.bin/lab directly: npx itself finds that, here
  it('npx lab, in the checkout, is its build', async () => {
    const commander = await execa('node', [LAB_BIN, 'help']);
    const r = await execa('npx', ['lab', '--help'], { cwd: PROJECT_DIR });
    expect(r.stdout).toBe(commander.stdout);
  });
});
