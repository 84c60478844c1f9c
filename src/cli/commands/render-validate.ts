// lab render --validate: every rendered file that names a daemon checked by that daemon's own tool
// (bird -p, vtysh -C, gobgpd -d in a throwaway namespace, netplan generate), as lab up would meet it,
// without starting anything. A workshop author's check of a lab before its first up.
import type { RenderedFile } from '../../contracts/role.js';
import { validatorOf } from '../../daemons/index.js';
import { DefinitionError, PreflightError } from '../../errors.js';
import { hasCommand } from '../../host/has-command.js';
import { validateFiles } from '../../host/validate.js';
import { printable } from '../../printable.js';

export interface FileVerdict {
  node: string;
  path: string;
  tool: string;
  ok: boolean;
  output: string;
}

/** Checks the files, prints a line each (or nothing under --json), and throws when one fails. */
export async function validateRendered(files: RenderedFile[]): Promise<FileVerdict[]> {
  const checked = files.filter((f) => f.validator && validatorOf(f.validator));
  const validators = [...new Set(checked.map((f) => validatorOf(f.validator!)!))];
  const missing = [
    ...new Set(validators.map((v) => v.command({ path: 'x', root: 'x' })[0]).filter((c) => !hasCommand(c))),
  ];
  if (missing.length)
    throw new PreflightError(`lab render --validate needs ${missing.join(', ')}, not found on this host`, {
      details: ['./setup.sh --deps-only installs every daemon the labs use.'],
    });
  if (validators.some((v) => v.emptyNetns) && process.getuid?.() !== 0)
    throw new PreflightError(
      'lab render --validate needs root here: gobgpd checks its file in a throwaway network namespace',
      { details: ['Run it with sudo, or without --validate.'] },
    );
  const verdicts = (await validateFiles(checked)).map(({ file, tool, ok, output }) => ({
    node: file.node,
    path: file.path,
    tool,
    ok,
    output: output.trim(),
  }));
  const bad = verdicts.filter((v) => !v.ok);
  for (const v of verdicts) {
    console.log(`${v.ok ? '✔' : '✖'} ${v.node} ${v.path} (${v.tool})`);
    // the tool's own words, neutralized: they quote the file, which quotes the lab
    if (!v.ok) for (const line of v.output.split('\n').slice(-8)) console.log(`    ${printable(line)}`);
  }
  if (bad.length)
    throw new DefinitionError(
      `${bad.length} of ${verdicts.length} rendered files fail their daemon's own check: ${bad.map((v) => `${v.node} ${v.path}`).join(', ')}`,
      {
        code: 'config-invalid',
        details: ["The lines above are the tools' own; lab lint explains most causes, or file an issue."],
        json: { files: verdicts },
      },
    );
  console.log(`${verdicts.length} rendered files pass their daemons' own checks`);
  return verdicts;
}
