// Runs the compiled lab command as a user would, with its own state folder.

import { join } from 'node:path';
import { execa } from 'execa';
import { PROJECT_DIR } from '../../src/paths.js';

export const LAB_BIN = join(PROJECT_DIR, 'dist', 'cli', 'main.js');

export function labCli(stateDir: string) {
  return (args: string[], opts: { timeout?: number } = {}) =>
    execa('node', [LAB_BIN, ...args], {
      reject: false,
      all: true,
      env: { LAB_STATE_DIR: stateDir },
      timeout: opts.timeout ?? 120_000,
    });
}
