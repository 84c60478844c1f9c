// Shared test helpers: the shipped labs and the project's paths.
import { cpSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { LABS_DIR, PROJECT_DIR } from '../../src/paths.js';

export const LAB_NAMES = readdirSync(LABS_DIR, { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .map((d) => d.name)
  .sort();

export const labFile = (name: string) => join(LABS_DIR, name, 'lab.yaml');
export const FIXTURES = join(PROJECT_DIR, 'test', 'fixtures');

/** A shipped lab copied to `dest` (its step scripts with it), its lab.yaml passed through `edit`: for a
 * test that changes a lab's file or its scripts. */
export function copyLab(
  name: string,
  dest: string,
  edit: (yaml: string) => string = (yaml) => yaml,
): { copy: string; file: string } {
  cpSync(join(LABS_DIR, name), dest, { recursive: true });
  const file = join(dest, 'lab.yaml');
  writeFileSync(file, edit(readFileSync(file, 'utf8')));
  return { copy: dest, file };
}

/** bgp-metallb's lab.yaml with its service step given `timeout:`. */
export const withServiceTimeout = (yaml: string, timeout: string | number) =>
  yaml.replace('script: steps/service.mjs', `script: steps/service.mjs\n    timeout: ${timeout}`);
export const isRoot = process.getuid?.() === 0;

/** The conformance set: small labs under test/conformance/, one per routing capability. */
export const CONFORMANCE_DIR = join(PROJECT_DIR, 'test', 'conformance');
export const CONFORMANCE_LABS = readdirSync(CONFORMANCE_DIR, { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .map((d) => d.name)
  .sort();
export const conformanceFile = (name: string) => join(CONFORMANCE_DIR, name, 'lab.yaml');
