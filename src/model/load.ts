// Load: YAML text to a validated raw lab, with every problem located by file, line and column.
import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import { type Document, isMap, isScalar, LineCounter, parseDocument, visit } from 'yaml';
import type { z } from 'zod';
import { formatIssue, type Issue, type Path } from '../core/issue.js';
import type { ParamValues } from '../core/lab.js';
import type { RawLab } from '../core/schema.js';
import { DefinitionError } from '../errors.js';
import { labSchema } from './lab-schema.js';
import { applyParams, parseSets } from './params.js';

export interface LoadedLab {
  raw: RawLab;
  params: ParamValues;
  file: string;
  dir: string;
  /** Finds the line and column of a path in the file (the nearest existing ancestor); with `at`, of
   * that word inside the value when the file spells it so. */
  locate(path: Path, at?: Issue['at']): { line: number; column: number } | undefined;
}

export class LabDefinitionError extends DefinitionError {
  constructor(
    readonly file: string,
    readonly issues: Issue[],
  ) {
    super(`${file}: ${issues.length} problem${issues.length === 1 ? '' : 's'} in the lab definition`, {
      details: issues.map(formatIssue),
    });
  }
}

function locator(doc: Document, lines: LineCounter, text: string) {
  return (path: Path, at?: Issue['at']) => {
    const value = at?.text
      ? (doc.getIn(path, true) as { range?: [number, number, number] } | undefined)
      : undefined;
    if (at && value?.range) {
      const source = text.slice(value.range[0], value.range[1]);
      let i = source.indexOf(at.text);
      for (let n = 0; n < at.nth && i >= 0; n++) i = source.indexOf(at.text, i + 1);
      if (i >= 0) {
        const pos = lines.linePos(value.range[0] + i);
        return { line: pos.line, column: pos.col };
      }
    }
    for (let n = path.length; n >= 0; n--) {
      const node = doc.getIn(path.slice(0, n), true) as { range?: [number, number, number] } | undefined;
      const keyNode = n > 0 ? keyNodeOf(doc, path.slice(0, n)) : undefined;
      const range = keyNode?.range ?? node?.range;
      if (range) {
        const pos = lines.linePos(range[0]);
        return { line: pos.line, column: pos.col };
      }
    }
    return undefined;
  };
}

// The key of a mapping entry locates better than its value (an error about `nodes.x` points at `x:`).
function keyNodeOf(doc: Document, path: Path): { range?: [number, number, number] } | undefined {
  const parent = path.length === 1 ? doc.contents : doc.getIn(path.slice(0, -1), true);
  if (!isMap(parent)) return undefined;
  const pair = parent.items.find((p) => isScalar(p.key) && p.key.value === path[path.length - 1]);
  return pair && isScalar(pair.key) ? (pair.key as { range?: [number, number, number] }) : undefined;
}

type ZodIssue = z.ZodError['issues'][number];

/**
 * A value no branch of a union accepts: the branch it was meant for says what is wrong (the one whose
 * complaints lie deepest: a filter object with a bad rule, not "expected a string"), else zod's own.
 */
function unionIssues(i: ZodIssue): ZodIssue[] {
  const branches = i.code === 'invalid_union' ? (i.errors as ZodIssue[][] | undefined) : undefined;
  if (!branches?.length) return [i];
  const depth = (b: ZodIssue[]) =>
    Math.min(...b.map((x) => (x.code === 'invalid_type' ? x.path.length : x.path.length + 1)));
  const best = [...branches].sort((a, b) => depth(b) - depth(a))[0];
  if (!best.length || depth(best) === 0) return [i];
  return best.flatMap((x) => unionIssues({ ...x, path: [...i.path, ...x.path] } as ZodIssue));
}

function schemaIssues(error: z.ZodError): Issue[] {
  return error.issues.flatMap(unionIssues).map((i) => ({
    code: 'schema',
    severity: 'error' as const,
    path: i.path as Path,
    message: i.message,
    hint: 'see labs/lab.schema.json (editors complete lab.yaml from it) and the lab file format in README.md',
  }));
}

/** The tags of plain data (YAML 1.2's core schema): any other (`!!js/function`, `!!binary`, `!foo`)
 * is refused, not read as a string nor turned into something no field expects. */
const CORE_TAGS = new Set(
  ['str', 'int', 'float', 'bool', 'null', 'map', 'seq'].map((t) => `tag:yaml.org,2002:${t}`),
);

function unknownTags(doc: Document, text: string): { tag: string; offset: number }[] {
  const found: { tag: string; offset: number }[] = [];
  visit(doc, {
    Node(_, node) {
      if (!node.tag || CORE_TAGS.has(node.tag)) return;
      // the node's range starts at its value: point at its tag, the `!` before it on its line
      const start = node.range?.[0] ?? 0;
      let at = text.lastIndexOf('!', start);
      // (the tag's own word, then only blanks or an anchor, up to the value: else the value itself)
      if (at < 0 || !/^\S+(\s+&\S+)?\s*$/.test(text.slice(at, start))) at = start;
      while (at > 0 && !/[\s[{,]/.test(text[at - 1])) at--;
      found.push({ tag: node.tag, offset: at });
    },
  });
  return found;
}

/** Where a mapping has the key `__proto__`: a node, parameter or network of that name vanished
 * without a word when the lab was read (an object's prototype, not an entry of it). */
function protoKeys(doc: Document): number[] {
  const found: number[] = [];
  visit(doc, {
    Pair(_, pair) {
      if (isScalar(pair.key) && pair.key.value === '__proto__') found.push(pair.key.range?.[0] ?? 0);
    },
  });
  return found;
}

/** A lab file is small: a hundred-node lab is a few KiB. Anything larger is refused before parsing. */
export const MAX_LAB_BYTES = 1024 * 1024;

const READ_ERRORS: Record<string, string> = {
  ENOENT: 'it does not exist',
  EACCES: 'it is not readable by this user',
  EPERM: 'it is not readable by this user',
  EISDIR: 'it is a folder: give the lab.yaml inside it',
  ENOTDIR: 'a part of its path is a file, not a folder',
  ELOOP: 'its symbolic links loop',
  ENAMETOOLONG: 'its name is too long',
};

function unreadable(file: string, why: string, cause?: unknown): DefinitionError {
  return new DefinitionError(`cannot read lab file ${file}: ${why}`, { cause, code: 'lab-file-unreadable' });
}

/** The file's text, refusing what is no regular file (a FIFO or a device would block or never end)
 * and what is larger than a lab file can be; opened without blocking, read once. */
function readLabText(file: string): string {
  let fd: number;
  try {
    fd = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code ?? '';
    throw unreadable(file, READ_ERRORS[code] ?? (cause as Error).message, cause);
  }
  try {
    const stat = fstatSync(fd);
    if (stat.isDirectory()) throw unreadable(file, READ_ERRORS.EISDIR);
    if (!stat.isFile())
      throw unreadable(file, 'it is not a regular file (a pipe, socket or device): give a lab.yaml file');
    if (stat.size > MAX_LAB_BYTES)
      throw new DefinitionError(
        `lab file ${file} has ${stat.size} bytes, more than the ${MAX_LAB_BYTES} a lab file may have`,
        { code: 'lab-file-too-large', details: ['Use groups (count:) for many alike nodes.'] },
      );
    const buffer = Buffer.alloc(stat.size);
    let read = 0;
    while (read < stat.size) {
      const n = readSync(fd, buffer, read, stat.size - read, read);
      if (n === 0) break;
      read += n;
    }
    return buffer.subarray(0, read).toString('utf8');
  } finally {
    closeSync(fd);
  }
}

/** Reads and validates a lab file; `sets` are --set key=value overrides. Throws LabDefinitionError. */
export function loadLab(file: string, sets: string[] = []): LoadedLab {
  return loadLabText(readLabText(file), file, sets);
}

/** One issue for input that exhausts the parser (nesting, aliases) rather than a stack trace. */
function exhausted(file: string, message: string, hint: string, code: string): LabDefinitionError {
  return new LabDefinitionError(file, [{ code, severity: 'error', path: [], message, hint, file }]);
}

export function loadLabText(text: string, file: string, sets: string[] = []): LoadedLab {
  try {
    return parseLabText(text, file, sets);
  } catch (e) {
    if (e instanceof RangeError)
      throw exhausted(
        file,
        'the file nests too deeply to be a lab file',
        'a lab file nests a few levels (nodes, interfaces, ...): this one would exhaust the parser',
        'input-too-deep',
      );
    throw e;
  }
}

function parseLabText(text: string, file: string, sets: string[]): LoadedLab {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: true, uniqueKeys: true });
  const locate = locator(doc, lines, text);
  const dir = file.replace(/\/[^/]*$/, '') || '.';
  const fail = (issues: Issue[]): never => {
    for (const issue of issues) {
      issue.file = file;
      const pos = issue.line ? undefined : locate(issue.path);
      if (pos) Object.assign(issue, pos);
    }
    throw new LabDefinitionError(file, issues);
  };

  if (doc.errors.some((e) => /call stack/i.test(e.message))) throw new RangeError('nesting');
  if (doc.errors.length) {
    // one syntax error cascades into many: report the first per line, at most ten
    const seen = new Set<number>();
    const first = doc.errors.filter((e) => {
      const line = e.linePos?.[0].line ?? 0;
      return !seen.has(line) && !!seen.add(line);
    });
    fail(
      first.slice(0, 10).map((e) => ({
        code: e.code === 'DUPLICATE_KEY' ? 'name-duplicate' : 'yaml-syntax',
        severity: 'error' as const,
        path: [],
        message: e.message.split('\n')[0],
        hint:
          e.code === 'DUPLICATE_KEY'
            ? 'two entries share one name: the second would silently replace the first'
            : 'fix the YAML syntax at this position',
        line: e.linePos?.[0].line,
        column: e.linePos?.[0].col,
      })),
    );
  }
  const tagged = unknownTags(doc, text);
  if (tagged.length)
    fail(
      tagged.slice(0, 10).map(({ tag, offset }) => ({
        code: 'yaml-tag',
        severity: 'error' as const,
        path: [],
        message: `the YAML tag ${tag.replace(/^tag:yaml\.org,2002:/, '!!')}: a lab file is plain data`,
        hint: `remove the tag: a lab file holds strings, numbers, booleans, lists and mappings (tags ${[...CORE_TAGS].map((t) => t.replace('tag:yaml.org,2002:', '!!')).join(', ')} only); another tag would be read as a plain string or a value no field expects`,
        ...(({ line, col }) => ({ line, column: col }))(lines.linePos(offset)),
      })),
    );
  const proto = protoKeys(doc);
  if (proto.length)
    fail(
      proto.slice(0, 10).map((offset) => ({
        code: 'name-unsafe',
        severity: 'error' as const,
        path: [],
        message:
          "the key __proto__: JavaScript's name for an object's prototype, which would drop the entry unread",
        hint: 'rename it: names use lowercase letters, digits and dashes',
        ...(({ line, col }) => ({ line, column: col }))(lines.linePos(offset)),
      })),
    );
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: 100 });
  } catch (e) {
    if (e instanceof RangeError || !/alias/i.test((e as Error).message)) throw e;
    throw exhausted(
      file,
      'the file expands its YAML aliases (*name) beyond what a lab file needs',
      'write the values out, or use groups (count:) and parameters: a few aliases are fine, an alias bomb is not',
      'yaml-aliases',
    );
  }
  if (!data || typeof data !== 'object' || Array.isArray(data)) {
    fail([
      {
        code: 'schema',
        severity: 'error',
        path: [],
        message: 'a lab file is a YAML mapping with name, description, networks and nodes',
        hint: 'start from labs/bgp-metallb/lab.yaml',
      },
    ]);
  }
  const {
    values,
    issues: paramIssues,
    data: substituted,
  } = applyParams(data as Record<string, unknown>, parseSets(sets));
  if (paramIssues.length) fail(paramIssues);
  // without zod's generated parsers: a lab is parsed once per process, and generating one per object
  // schema (new Function, which no code cache keeps) cost more than it saved
  const parsed = labSchema.safeParse(substituted, { jitless: true });
  if (!parsed.success) fail(schemaIssues(parsed.error));
  return { raw: parsed.data as RawLab, params: values, file, dir, locate };
}
