// The import graph of src/, between folders: which folder's files import which folder's, at run time
// (type-only imports are erased by the compiler and left out), found with TypeScript's own parser.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';

export interface Edge {
  from: string;
  to: string;
  /** false when every import along this edge is type-only */
  runtime: boolean;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sourceFiles(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

/** Each import of a file: its specifier and whether it survives compilation. */
export function importsOf(file: string): { specifier: string; runtime: boolean }[] {
  const sf = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.ES2022, true);
  const out: { specifier: string; runtime: boolean }[] = [];
  const visit = (node: ts.Node) => {
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
      const clause = node.importClause;
      const named = clause?.namedBindings;
      const allTypes =
        !!clause &&
        (clause.isTypeOnly ||
          (!clause.name &&
            !!named &&
            ts.isNamedImports(named) &&
            named.elements.length > 0 &&
            named.elements.every((e) => e.isTypeOnly)));
      out.push({ specifier: node.moduleSpecifier.text, runtime: !allTypes });
    } else if (
      ts.isExportDeclaration(node) &&
      node.moduleSpecifier &&
      ts.isStringLiteral(node.moduleSpecifier)
    ) {
      const named = node.exportClause;
      const allTypes =
        node.isTypeOnly ||
        (!!named &&
          ts.isNamedExports(named) &&
          named.elements.length > 0 &&
          named.elements.every((e) => e.isTypeOnly));
      out.push({ specifier: node.moduleSpecifier.text, runtime: !allTypes });
    } else if (
      ts.isCallExpression(node) &&
      node.expression.kind === ts.SyntaxKind.ImportKeyword &&
      node.arguments[0] &&
      ts.isStringLiteral(node.arguments[0])
    ) {
      out.push({ specifier: node.arguments[0].text, runtime: true });
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return out;
}

/** The folder of a file under src: its first path segment, or '.' for files at the top. */
export function folderOf(src: string, file: string): string {
  const parts = relative(src, file).split('/');
  return parts.length > 1 ? parts[0] : '.';
}

/** Every file-to-file import inside src, with the folders at both ends. */
export function fileImports(src: string): { from: string; to: string; runtime: boolean }[] {
  return sourceFiles(src).flatMap((file) =>
    importsOf(file)
      .filter((i) => i.specifier.startsWith('.'))
      .map((i) => ({
        from: relative(src, file),
        to: relative(src, resolve(dirname(file), i.specifier).replace(/\.js$/, '.ts')),
        runtime: i.runtime,
      })),
  );
}

export function folderEdges(src: string): Edge[] {
  const edges = new Map<string, Edge>();
  for (const i of fileImports(src)) {
    const from = folderOf(src, join(src, i.from));
    const to = folderOf(src, join(src, i.to));
    if (from === to) continue;
    const key = `${from}->${to}`;
    const e = edges.get(key) ?? { from, to, runtime: false };
    e.runtime ||= i.runtime;
    edges.set(key, e);
  }
  return [...edges.values()];
}

/** Groups of folders that import each other round in a circle (Tarjan's strongly connected components). */
export function cycles(edges: Pick<Edge, 'from' | 'to'>[]): string[][] {
  const nodes = [...new Set(edges.flatMap((e) => [e.from, e.to]))];
  const next = (n: string) => edges.filter((e) => e.from === n).map((e) => e.to);
  let index = 0;
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const on = new Set<string>();
  const out: string[][] = [];
  const strong = (v: string) => {
    idx.set(v, index);
    low.set(v, index++);
    stack.push(v);
    on.add(v);
    for (const w of next(v)) {
      if (!idx.has(w)) {
        strong(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (on.has(w)) low.set(v, Math.min(low.get(v)!, idx.get(w)!));
    }
    if (low.get(v) === idx.get(v)) {
      const group: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        on.delete(w);
        group.push(w);
      } while (w !== v);
      if (group.length > 1) out.push(group.sort());
    }
  };
  for (const n of nodes) if (!idx.has(n)) strong(n);
  return out;
}
