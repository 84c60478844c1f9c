// Shared test helpers: the shipped labs and the project's paths.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { LABS_DIR, PROJECT_DIR } from '../../src/paths.js';

export const LAB_NAMES = readdirSync(LABS_DIR, { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .map((d) => d.name)
  .sort();

export const labFile = (name: string) => join(LABS_DIR, name, 'lab.yaml');
export const FIXTURES = join(PROJECT_DIR, 'test', 'fixtures');
export const isRoot = process.getuid?.() === 0;

/** The conformance set: small labs under test/conformance/, one per routing capability. */
export const CONFORMANCE_DIR = join(PROJECT_DIR, 'test', 'conformance');
export const CONFORMANCE_LABS = readdirSync(CONFORMANCE_DIR, { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .map((d) => d.name)
  .sort();
export const conformanceFile = (name: string) => join(CONFORMANCE_DIR, name, 'lab.yaml');
