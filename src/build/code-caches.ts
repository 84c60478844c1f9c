// The lab command's code caches (cli/code-cache.ts), written by npm run build after bundling: V8's code
// after runs of the commands that need neither root nor a running lab (help, list, lint and render of
// each shipped lab, in one state folder of their own), each run starting from the caches of the runs
// before it; then, for the files none of them loaded (up, down, ...), the code of their first compile.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import Module from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import vm from 'node:vm';
import { WRITE_CODE_CACHE } from '../cli/code-cache.js';
import { LABS_DIR, PROJECT_DIR } from '../paths.js';

const CLI = join(PROJECT_DIR, 'dist', 'cli');

export function writeCodeCaches(): void {
  const tmp = mkdtempSync(join(tmpdir(), 'lab-build-'));
  try {
    const labs = readdirSync(LABS_DIR).filter((l) => existsSync(join(LABS_DIR, l, 'lab.yaml')));
    const runs = [
      ['help'],
      ['list'],
      ...labs.map((l) => ['lint', l]),
      ...labs.map((l) => ['render', l, '-o', join(tmp, 'render', l)]),
    ];
    const env = { ...process.env, [WRITE_CODE_CACHE]: '1', LAB_STATE_DIR: join(tmp, 'state') };
    for (const args of runs) {
      // a lab this host could not run still loads and runs the code: its exit code does not matter
      const r = spawnSync(process.execPath, [join(CLI, 'main.js'), ...args], { env, stdio: 'ignore' });
      if (r.error) throw r.error;
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  for (const file of bundleFiles())
    if (!existsSync(`${file}.cache`)) {
      const script = new vm.Script(Module.wrap(readFileSync(file, 'utf8')), { filename: file });
      writeFileSync(`${file}.cache`, script.createCachedData());
    }
}

function bundleFiles(): string[] {
  // lab.cjs is not among them: Node's loader compiles it, before the code caches are used
  return readdirSync(join(CLI, 'chunks'))
    .filter((f) => f.endsWith('.cjs'))
    .map((f) => join(CLI, 'chunks', f));
}
