// A Ctrl-C while a command is still loading (synchronously, from the code caches) ends lab with 130 and
// the early sentence, before the command begins: the command's first act turns the event loop so that
// the signal is heard before it takes over the answer (and would create, then remove, a lab).
import { join } from 'node:path';
import { execa } from 'execa';
import { expect, it } from 'vitest';
import { PROJECT_DIR } from '../../src/paths.js';

const INTERRUPT = join(PROJECT_DIR, 'dist', 'cli', 'interrupt.js');

// loading stood in by a busy second; the signal comes during it, then the command begins
const SCRIPT = `
const { catchSignals, handleInterruption } = await import(${JSON.stringify(INTERRUPT)});
catchSignals();
process.stdout.write('loading\\n');
const end = Date.now() + 1500;
while (Date.now() < end);
await handleInterruption();
process.stdout.write('began\\n');
`;

it('a signal while the command loads ends it with 130 and the early sentence, before it begins', async () => {
  const child = execa('node', ['--input-type=module', '-e', SCRIPT], { reject: false });
  await new Promise<void>((loading) =>
    child.stdout?.on('data', (d: Buffer) => d.toString().includes('loading') && loading()),
  );
  child.kill('SIGINT');
  const r = await child;
  expect(r.exitCode, r.stderr).toBe(130);
  expect(r.stderr.trim()).toBe('lab: interrupted (SIGINT)');
  expect(r.stdout).not.toContain('began');
});
