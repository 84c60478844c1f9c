// What lab's offline box receives of the project: the build, the labs, the templates and the runtime
// modules (package-lock.json's non-dev packages: about 20 MB of node_modules' 170), staged in the
// instance's folder and synced into the VM by Vagrant's rsync. The VM has no network to fetch them.
import { cpSync, existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { PROJECT_DIR } from '../../paths.js';

const TOP = ['dist', 'labs', 'templates', 'package.json', 'setup.sh'];

/** The runtime packages' folders, from the lock file. */
export function runtimePackages(lock: string): string[] {
  const packages = (JSON.parse(lock) as { packages?: Record<string, { dev?: boolean }> }).packages ?? {};
  return Object.entries(packages)
    .filter(([path, p]) => path.startsWith('node_modules/') && !p.dev)
    .map(([path]) => path);
}

export function stageProject(dest: string, from = PROJECT_DIR): void {
  rmSync(dest, { recursive: true, force: true });
  const lock = readFileSync(join(from, 'package-lock.json'), 'utf8');
  for (const path of [...TOP, ...runtimePackages(lock)]) {
    if (existsSync(join(from, path)))
      cpSync(join(from, path), join(dest, path), { recursive: true, dereference: true });
  }
}
