// READMEs that run: what a README's fenced blocks ask the README runner (test/helpers/readme-runner.ts)
// to do, and how a command's output is compared with the expected output the README shows.
// The conventions, for README writers (also in docs/readme-tests.md):
//
// - A ```sh block holds commands, run one after another with bash (-o pipefail), cwd the checkout,
//   `lab` and `npx lab` the checkout's build. Lines ending in `\` continue; `#` lines are comments.
// - Transcript form: when any line of an ```sh block starts with `$ `, each `$ ` line is a command and
//   the lines under it, up to the next `$ ` line, are its expected output (none: it must print nothing).
// - A ```text block is the expected output of the nearest ```sh block above it (plain form): all its
//   commands' stdout and stderr, in order.
// - Expected output is compared line by line, each line trimmed and its runs of blanks made one space
//   (column widths do not matter); blank lines do not count (etcdctl puts one between keys). Variable parts:
//   `…` (one character, U+2026) inside a line matches any text within that line (timings, ages,
//   counts); a line that is `…` alone matches any number of lines, none included.
// - Directives: HTML comments on the lines right above a block's fence (the reader does not see them):
//     <!-- readme-test: skip REASON -->    the block is not run here; counted and printed as skipped
//     <!-- readme-test: instead CMD -->    with skip: CMD runs in the block's place, so that the state
//                                          the block leaves (and its text block) still hold
//     <!-- readme-test: exit N[,N...] -->  the block's commands exit with these codes, in order (default 0)
//     <!-- readme-test: timeout S -->      each command of the block may take S seconds (default 120)
// - A fence without a language that holds commands (`lab `, `npx `, `npm `, `$ ` lines) is refused: mark it
//   ```sh (and skip it if it cannot run here), so that no command a README shows escapes the runner.
// - A block that runs a command rewriting tracked files (UPDATE_GOLDEN=, npm run schema|graphs|format)
//   is refused unless skipped: goldens are rewritten by a person, never by the suite.

export interface ReadmeCommand {
  /** the command as bash runs it (continuations kept) */
  command: string;
  /** 1-based line of the README where it starts */
  line: number;
  /** expected output lines (transcript form); undefined: not compared */
  expect?: string[];
  /** expected exit code */
  exit: number;
}

export interface ReadmeBlock {
  /** 1-based line of the opening fence */
  line: number;
  commands: ReadmeCommand[];
  /** expected output of the whole block (plain form, from a ```text block) */
  expect?: { lines: string[]; line: number };
  skip?: string;
  instead?: string;
  timeoutS: number;
}

export class ReadmeFormatError extends Error {}

interface Fence {
  lang: string;
  line: number;
  body: string[];
  directives: string[];
}

const DIRECTIVE = /^<!--\s*readme-test:\s*(.*?)\s*-->$/;

function fencesOf(text: string, file: string): Fence[] {
  const lines = text.split('\n');
  const fences: Fence[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^(\s*)(`{3,}|~{3,})\s*([^`\s]*)/.exec(lines[i] ?? '');
    if (!open) continue;
    const [, indent = '', marker = '```', lang = ''] = open;
    const directives: string[] = [];
    for (let j = i - 1; j >= 0; j--) {
      const d = DIRECTIVE.exec((lines[j] ?? '').trim());
      if (!d) break;
      directives.unshift(d[1] ?? '');
    }
    const body: string[] = [];
    let j = i + 1;
    for (; j < lines.length; j++) {
      const l = lines[j] ?? '';
      if (
        l.trim().startsWith(marker[0]?.repeat(marker.length) ?? marker) &&
        l.trim().replace(/[`~]/g, '') === ''
      )
        break;
      body.push(l.startsWith(indent) ? l.slice(indent.length) : l);
    }
    if (j >= lines.length) throw new ReadmeFormatError(`${file}:${i + 1}: a fence that is never closed`);
    fences.push({ lang: lang.toLowerCase(), line: i + 1, body, directives });
    i = j;
  }
  return fences;
}

/** Lines joined where one ends in a backslash; each with the line it started on. */
function joinContinuations(body: string[], firstLine: number): { text: string; line: number }[] {
  const out: { text: string; line: number }[] = [];
  let current: { text: string; line: number } | undefined;
  body.forEach((l, k) => {
    if (current) current.text += `\n${l}`;
    else current = { text: l, line: firstLine + k };
    if (!/\\$/.test(l)) {
      out.push(current);
      current = undefined;
    }
  });
  if (current) out.push(current);
  return out;
}

const COMMAND_LIKE = /^\s*(\$ |lab |npx |npm |sudo |\.\/)/;

/** Commands that rewrite files the checkout tracks (goldens, the JSON schema, the pictures): only a
 * person runs them, so a README block showing one must be skipped. */
export const REWRITES_CHECKOUT = /\bUPDATE_GOLDEN=|\bnpm run (schema|graphs|format)\b|\bbiome format\b/;

export function parseReadme(text: string, file = 'README.md'): ReadmeBlock[] {
  const blocks: ReadmeBlock[] = [];
  for (const f of fencesOf(text, file)) {
    const where = `${file}:${f.line}`;
    if (f.lang === 'text') {
      const last = blocks.at(-1);
      if (!last) throw new ReadmeFormatError(`${where}: a text block with no sh block above it`);
      if (last.expect)
        throw new ReadmeFormatError(`${where}: a second text block for the sh block at line ${last.line}`);
      if (last.commands.some((c) => c.expect))
        throw new ReadmeFormatError(
          `${where}: a text block under a transcript ($ lines) block: put the output under its $ line`,
        );
      last.expect = { lines: f.body, line: f.line };
      continue;
    }
    if (f.lang === '' && f.body.some((l) => COMMAND_LIKE.test(l)))
      throw new ReadmeFormatError(
        `${where}: a block without a language that holds commands: mark it \`\`\`sh (with <!-- readme-test: skip REASON --> if it cannot run here)`,
      );
    if (f.lang !== 'sh') {
      if (f.directives.length)
        throw new ReadmeFormatError(`${where}: readme-test directives on a ${f.lang || 'plain'} block`);
      continue;
    }
    const block: ReadmeBlock = { line: f.line, commands: [], timeoutS: 120 };
    let exits: number[] | undefined;
    for (const d of f.directives) {
      const [word = '', ...rest] = d.split(/\s+/);
      const arg = rest.join(' ');
      if (word === 'skip' && arg) block.skip = arg;
      else if (word === 'instead' && arg) block.instead = arg;
      else if (word === 'exit' && /^\d+(,\s*\d+)*$/.test(arg))
        exits = arg.split(',').map((n) => Number(n.trim()));
      else if (word === 'timeout' && /^\d+$/.test(arg)) block.timeoutS = Number(arg);
      else
        throw new ReadmeFormatError(
          `${where}: unknown readme-test directive '${d}' (skip, instead, exit, timeout)`,
        );
    }
    if (block.instead && !block.skip)
      throw new ReadmeFormatError(`${where}: 'instead' needs a 'skip REASON' beside it`);
    const transcript = f.body.some((l) => l.startsWith('$ '));
    if (transcript) {
      let current: ReadmeCommand | undefined;
      let continued = false;
      f.body.forEach((l, k) => {
        if (current && continued) {
          current.command += `\n${l}`;
          continued = /\\$/.test(l);
        } else if (l.startsWith('$ ')) {
          current = { command: l.slice(2), line: f.line + 1 + k, expect: [], exit: 0 };
          block.commands.push(current);
          continued = /\\$/.test(l);
        } else if (current) current.expect?.push(l);
        else if (l.trim() !== '')
          throw new ReadmeFormatError(
            `${file}:${f.line + 1 + k}: output before the first $ line of a transcript block`,
          );
      });
    } else {
      for (const { text: t, line } of joinContinuations(f.body, f.line + 1)) {
        if (t.trim() === '' || t.trim().startsWith('#')) continue;
        block.commands.push({ command: t, line, exit: 0 });
      }
    }
    if (block.commands.length === 0) throw new ReadmeFormatError(`${where}: an sh block without a command`);
    const rewriter = block.commands.find((c) => REWRITES_CHECKOUT.test(c.command));
    if (rewriter && !block.skip)
      throw new ReadmeFormatError(
        `${file}:${rewriter.line}: '${rewriter.command}' rewrites files the checkout tracks (goldens, schema, pictures), which only a person does: mark its block <!-- readme-test: skip REASON -->`,
      );
    if (block.instead && REWRITES_CHECKOUT.test(block.instead))
      throw new ReadmeFormatError(`${where}: 'instead' rewrites files the checkout tracks`);
    if (exits) {
      if (exits.length !== block.commands.length)
        throw new ReadmeFormatError(
          `${where}: 'exit' lists ${exits.length} codes for ${block.commands.length} commands`,
        );
      block.commands.forEach((c, k) => {
        c.exit = exits?.[k] ?? 0;
      });
    }
    blocks.push(block);
  }
  return blocks;
}

const ANSI = /\x1b\[[0-9;?]*[A-Za-z]/g;

/** A line as compared: no colours, trimmed, runs of blanks one space. */
export const normalize = (line: string) => line.replace(ANSI, '').replace(/\s+/g, ' ').trim();

const noBlank = (lines: string[]) => lines.filter((l) => l !== '');

const WILDCARD = '…';

function lineRegExp(pattern: string): RegExp {
  const parts = pattern.split(WILDCARD).map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  return new RegExp(`^${parts.join('.*')}$`);
}

export interface Comparison {
  ok: boolean;
  /** when not ok: the expected and the actual output, side by side in a few lines */
  explanation: string;
}

/** Whether actual output matches the expected lines, `…` wildcards included. */
export function compareOutput(expected: string[], actual: string): Comparison {
  const want = noBlank(expected.map(normalize));
  const got = noBlank(actual.replace(/\r/g, '').split('\n').map(normalize));
  const patterns = want.map((w) => (w === WILDCARD ? undefined : lineRegExp(w)));
  // reach[i]: the counts of output lines that the first i expected lines can match, in order
  let reach = new Set([0]);
  let matched = 0;
  for (let i = 0; i < want.length && reach.size; i++) {
    const next = new Set<number>();
    const pattern = patterns[i];
    for (const j of reach) {
      if (pattern === undefined) for (let k = j; k <= got.length; k++) next.add(k);
      else if (j < got.length && pattern.test(got[j] ?? '')) next.add(j + 1);
    }
    reach = next;
    if (next.size) matched = i + 1;
  }
  if (matched === want.length && reach.has(got.length)) return { ok: true, explanation: '' };
  const firstMiss = matched;
  return {
    ok: false,
    explanation: [
      `expected (first line not matched: ${firstMiss < want.length ? JSON.stringify(want[firstMiss]) : 'the end of the output'}):`,
      ...want.map((l) => `  | ${l}`),
      'got:',
      ...got.map((l) => `  | ${l}`),
    ].join('\n'),
  };
}
