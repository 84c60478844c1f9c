// Load: YAML text to a validated raw lab, with every problem located by file, line and column.
import { readFileSync } from 'node:fs';
import { type Document, isMap, isScalar, LineCounter, parseDocument } from 'yaml';
import type { z } from 'zod';
import { formatIssue, type Issue, type Path } from '../core/issue.js';
import { DefinitionError } from '../errors.js';
import { applyParams, type ParamValues, parseSets } from './params.js';
import { labSchema, type RawLab } from './schema.js';

export interface LoadedLab {
  raw: RawLab;
  params: ParamValues;
  file: string;
  dir: string;
  /** Finds the line and column of a path in the file (the nearest existing ancestor). */
  locate(path: Path): { line: number; column: number } | undefined;
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

function locator(doc: Document, lines: LineCounter) {
  return (path: Path) => {
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

function schemaIssues(error: z.ZodError): Issue[] {
  return error.issues.map((i) => ({
    code: 'schema',
    severity: 'error' as const,
    path: i.path as Path,
    message: i.message,
    hint: 'see labs/lab.schema.json (editors complete lab.yaml from it) and the lab file format in README.md',
  }));
}

/** Reads and validates a lab file; `sets` are --set key=value overrides. Throws LabDefinitionError. */
export function loadLab(file: string, sets: string[] = []): LoadedLab {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (cause) {
    throw new DefinitionError(`cannot read lab file ${file}: ${(cause as Error).message}`, { cause });
  }
  return loadLabText(text, file, sets);
}

export function loadLabText(text: string, file: string, sets: string[] = []): LoadedLab {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: true, uniqueKeys: true });
  const locate = locator(doc, lines);
  const dir = file.replace(/\/[^/]*$/, '') || '.';
  const fail = (issues: Issue[]): never => {
    for (const issue of issues) {
      issue.file = file;
      const pos = issue.line ? undefined : locate(issue.path);
      if (pos) Object.assign(issue, pos);
    }
    throw new LabDefinitionError(file, issues);
  };

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
  const data = doc.toJS() as unknown;
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
  const parsed = labSchema.safeParse(substituted);
  if (!parsed.success) fail(schemaIssues(parsed.error));
  return { raw: parsed.data as RawLab, params: values, file, dir, locate };
}
