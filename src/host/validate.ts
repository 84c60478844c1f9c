// Checks rendered files with the daemons' own tools, without running the daemons.
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mustRun, runCommand } from './command.js';

/** The tools that check a file without running its daemon (a rendered file names one). */
export type ValidatorName = 'bird' | 'gobgpd' | 'netplan' | 'frr' | 'nginx';

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

type Validator = (path: string, dir: string) => Promise<{ tool: string; ok: boolean; output: string }>;

async function tool(cmd: string, args: string[], opts: { netns?: string } = {}) {
  const [file, argv] = opts.netns ? ['ip', ['netns', 'exec', opts.netns, cmd, ...args]] : [cmd, args];
  const r = await runCommand(file, argv, { timeoutMs: 20_000 });
  return { ok: r.exitCode === 0, output: `${r.stdout}${r.stderr}` };
}

/** gobgpd resolves unparsable addresses in DNS: check inside an empty, throwaway network namespace. */
async function inEmptyNetns<T>(fn: (netns: string) => Promise<T>): Promise<T> {
  const netns = `lab-validate-${randomBytes(3).toString('hex')}`;
  await mustRun('ip', ['netns', 'add', netns]);
  try {
    return await fn(netns);
  } finally {
    await runCommand('ip', ['netns', 'del', netns]);
  }
}

const VALIDATORS: Record<ValidatorName, Validator | undefined> = {
  bird: async (path) => ({ tool: 'bird -p', ...(await tool('bird', ['-p', '-c', path])) }),
  gobgpd: async (path) => ({
    tool: 'gobgpd -d',
    ...(await inEmptyNetns((netns) => tool('gobgpd', ['-d', '-p', '-f', path], { netns }))),
  }),
  frr: async (path) => ({ tool: 'vtysh -C', ...(await tool('vtysh', ['-C', '-f', path])) }),
  netplan: async (path, dir) => {
    // netplan reads /etc/netplan under a root dir of our own
    const root = join(dir, 'netplan-root');
    mkdirSync(join(root, 'etc', 'netplan'), { recursive: true });
    const target = join(root, 'etc', 'netplan', '50-lab.yaml');
    writeFileSync(target, readFileSync(path));
    chmodSync(target, 0o600); // netplan warns about files others can read
    const r = await tool('netplan', ['generate', '--root-dir', root]);
    rmSync(root, { recursive: true, force: true });
    return { tool: 'netplan generate', ...r };
  },
  nginx: undefined, // nginx -t opens the log and pid paths of the node: checked when the node starts
};

/** Every file that has a validator, checked by its tool, one after another. */
export async function validateFiles<F extends CheckedFile>(files: F[]): Promise<Validation[]> {
  const dir = mkdtempSync(join(tmpdir(), 'lab-validate-'));
  try {
    const out: Validation[] = [];
    for (const [i, file] of files.entries()) {
      const validate = file.validator && VALIDATORS[file.validator];
      if (!validate) continue;
      const path = join(dir, `${i}-${file.path.split('/').pop()}`);
      writeFileSync(path, file.content, { mode: 0o600 });
      out.push({ file, ...(await validate(path, dir)) });
    }
    return out;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
