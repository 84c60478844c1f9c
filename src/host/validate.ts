// Checks rendered files with the tools the daemons declare (daemons/), without running the daemons.
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { Validator } from '../daemons/daemon.js';
import { type ValidatorName, validatorOf } from '../daemons/index.js';
import { mustRun, runCommand } from './command.js';

/** What a validator reads of a rendered file. */
export interface CheckedFile {
  node: string;
  path: string;
  content: string;
  validator?: ValidatorName;
}

export interface Validation {
  file: CheckedFile;
  tool: string;
  ok: boolean;
  output: string;
}

async function tool(cmd: string, args: string[], opts: { netns?: string } = {}) {
  const [file, argv] = opts.netns ? ['ip', ['netns', 'exec', opts.netns, cmd, ...args]] : [cmd, args];
  const r = await runCommand(file, argv, { timeoutMs: 20_000 });
  return { ok: r.exitCode === 0, output: `${r.stdout}${r.stderr}` };
}

/** The host's rule for tools that may resolve names (gobgpd): an empty, throwaway network namespace. */
async function inEmptyNetns<T>(fn: (netns: string) => Promise<T>): Promise<T> {
  const netns = `lab-validate-${randomBytes(3).toString('hex')}`;
  await mustRun('ip', ['netns', 'add', netns]);
  try {
    return await fn(netns);
  } finally {
    await runCommand('ip', ['netns', 'del', netns]);
  }
}

/** Runs one validator on a file written to `path` (or at its place under a root of its own). */
async function check(v: Validator, content: string, path: string) {
  const root = `${path}-root`;
  if (v.placed) {
    // mode 0600: netplan warns about files others can read
    const target = join(root, v.placed);
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, content, { mode: 0o600 });
  }
  try {
    const [cmd, ...args] = v.command({ path, root });
    const r = v.emptyNetns
      ? await inEmptyNetns((netns) => tool(cmd, args, { netns }))
      : await tool(cmd, args);
    return { tool: v.tool, ...r };
  } finally {
    if (v.placed) rmSync(root, { recursive: true, force: true });
  }
}

/** Every file that has a validator, checked by its tool, one after another. */
export async function validateFiles<F extends CheckedFile>(files: F[]): Promise<Validation[]> {
  const dir = mkdtempSync(join(tmpdir(), 'lab-validate-'));
  try {
    const out: Validation[] = [];
    for (const [i, file] of files.entries()) {
      const validator = file.validator && validatorOf(file.validator);
      if (!validator) continue;
      const path = join(dir, `${i}-${file.path.split('/').pop()}`);
      writeFileSync(path, file.content, { mode: 0o600 });
      const r = await check(validator, file.content, path);
      // the tool names the scratch copy, gone once checked: its words name the node's file instead
      out.push({ file, ...r, output: r.output.split(path).join(`${file.node}:${file.path}`) });
    }
    return out;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
