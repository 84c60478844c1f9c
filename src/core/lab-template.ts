// Templates a lab file writes (a check's `run`): data lookups, arithmetic, comparisons, `for` and
// `if`, and a fixed list of filters; nothing else parses, nothing reaches JavaScript.
//
// Why a whitelist over nunjucks' parse tree and not an expression engine built for untrusted input
// (LiquidJS with ownPropertyOnly, filtrex, jexl): those speak another language, and lab authors
// write Jinja2 as Ansible and Salt have taught them; the shipped labs' `{{ 8 *
// clusters.a.service.backends.length + 12 }}` and `{% for p in clusters.b.pods %}` would have to
// change. nunjucks' parser is pure (it builds nodes, it evaluates and generates nothing), so the
// tree it builds is checked against a short list of node types and the rest is refused with a code
// (`template-unsafe`) before anything runs. What passes is evaluated here by a small interpreter,
// never by nunjucks' compiler (which generates JavaScript) nor its runtime (whose member lookup
// reaches `constructor` and binds functions): lookups go only into own properties of null-prototype
// copies of the lab's data, no value is ever a function, and no call is made but the listed filters.
import nunjucks from 'nunjucks';
import { DefinitionError } from '../errors.js';

export type TemplateProblemCode = 'template-unsafe' | 'template-invalid';

export interface TemplateProblem {
  code: TemplateProblemCode;
  message: string;
  /** 1-based, within the template. */
  line: number;
  column: number;
  /** The source text the problem is about (a name, a filter), to find it in the lab file. */
  token?: string;
}

/** A parsed template that passed the whitelist: only `renderLabTemplate` evaluates it. */
export interface CheckedTemplate {
  readonly root: TNode;
}

/** A lab template refused or failing when rendered: a definition error (exit 2), coded as lint codes it. */
export class LabTemplateError extends DefinitionError {}

interface TNode {
  typename: string;
  lineno: number;
  colno: number;
  value?: unknown;
  children?: TNode[];
  [field: string]: unknown;
}

/** The same lexer options as the project's template environment: the shipped commands render alike. */
const LEX = { trimBlocks: true, lstripBlocks: true };

/** Names no lookup may reach, whatever the object: the ways from a value to JavaScript. */
const FORBIDDEN_KEYS = new Set([
  'constructor',
  'prototype',
  '__proto__',
  '__defineGetter__',
  '__defineSetter__',
  '__lookupGetter__',
  '__lookupSetter__',
  'caller',
  'callee',
  'arguments',
]);
const forbiddenKey = (key: string) => FORBIDDEN_KEYS.has(key) || key.startsWith('__');

/** nunjucks' globals: functions over JavaScript, none of them lab data. */
const GLOBALS = new Set(['range', 'cycler', 'joiner', 'lipsum', 'caller', 'self', 'super']);
/** JavaScript's own names: never lab data, whatever a context might hold. */
const JS_NAMES = new Set([
  'process',
  'global',
  'globalThis',
  'require',
  'module',
  'exports',
  'this',
  'eval',
  'Function',
  'Object',
  'Reflect',
  'Proxy',
  'import',
]);

type Value = unknown;
const isPrimitive = (v: Value): v is string | number | boolean =>
  ['string', 'number', 'boolean'].includes(typeof v);

function need(ok: boolean, what: string, code: TemplateProblemCode = 'template-invalid'): void {
  if (!ok) throw new LabTemplateError(`lab template: ${what}`, { code });
}

const num = (v: Value, filter: string): number => {
  need(typeof v === 'number', `${filter} needs a number, got ${describe(v)}`);
  return v as number;
};
const str = (v: Value, filter: string): string => {
  need(typeof v === 'string', `${filter} needs a string, got ${describe(v)}`);
  return v as string;
};
const list = (v: Value, filter: string): Value[] => {
  need(Array.isArray(v), `${filter} needs a list, got ${describe(v)}`);
  return v as Value[];
};
const primitives = (v: Value[], filter: string): (string | number | boolean)[] => {
  need(v.every(isPrimitive), `${filter} needs a list of strings or numbers`);
  return v as (string | number | boolean)[];
};

/** The filters a lab template may use, with how many arguments each takes besides its input. */
const FILTERS: Record<string, { args: [number, number]; apply: (v: Value, ...a: Value[]) => Value }> = {
  length: {
    args: [0, 0],
    apply: (v) => {
      if (typeof v === 'string' || Array.isArray(v)) return v.length;
      need(isData(v), `length needs a list, a string or a mapping, got ${describe(v)}`);
      return Object.keys(v as object).length;
    },
  },
  // Jinja2's int: a --set value arrives as a string
  int: { args: [0, 0], apply: (v) => Number.parseInt(String(scalar(v, 'int')), 10) },
  float: { args: [0, 0], apply: (v) => Number.parseFloat(String(scalar(v, 'float'))) },
  abs: { args: [0, 0], apply: (v) => Math.abs(num(v, 'abs')) },
  round: {
    args: [0, 1],
    apply: (v, p = 0) => {
      const f = 10 ** num(p, 'round');
      return Math.round(num(v, 'round') * f) / f;
    },
  },
  string: { args: [0, 0], apply: (v) => String(scalar(v, 'string')) },
  lower: { args: [0, 0], apply: (v) => str(v, 'lower').toLowerCase() },
  upper: { args: [0, 0], apply: (v) => str(v, 'upper').toUpperCase() },
  trim: { args: [0, 0], apply: (v) => str(v, 'trim').trim() },
  join: {
    args: [0, 1],
    apply: (v, sep = '') => primitives(list(v, 'join'), 'join').join(str(sep, 'join')),
  },
  first: { args: [0, 0], apply: (v) => (typeof v === 'string' ? v[0] : list(v, 'first')[0]) },
  last: { args: [0, 0], apply: (v) => (typeof v === 'string' ? v.at(-1) : list(v, 'last').at(-1)) },
  sort: { args: [0, 0], apply: (v) => [...primitives(list(v, 'sort'), 'sort')].sort() },
  reverse: {
    args: [0, 0],
    apply: (v) => (typeof v === 'string' ? [...v].reverse().join('') : [...list(v, 'reverse')].reverse()),
  },
};
export const LAB_TEMPLATE_FILTERS = Object.keys(FILTERS);

function scalar(v: Value, filter: string): string | number | boolean {
  need(isPrimitive(v), `${filter} needs a string or a number, got ${describe(v)}`);
  return v as string | number | boolean;
}

function describe(v: Value): string {
  if (v === null || v === undefined) return 'nothing';
  if (Array.isArray(v)) return 'a list';
  return typeof v === 'object' ? 'a mapping' : `the ${typeof v} ${JSON.stringify(v)}`;
}

const ARITHMETIC: Record<string, (a: number, b: number) => number> = {
  Sub: (a, b) => a - b,
  Mul: (a, b) => a * b,
  Div: (a, b) => a / b,
  FloorDiv: (a, b) => Math.floor(a / b),
  Mod: (a, b) => a % b,
  Pow: (a, b) => a ** b,
};
const BINARY = new Set([...Object.keys(ARITHMETIC), 'Add', 'Concat', 'And', 'Or', 'In']);
const UNARY = new Set(['Not', 'Neg', 'Pos']);
const COMPARE = new Set(['==', '===', '!=', '!==', '<', '>', '<=', '>=']);

/** What each refused construct is, in the words of the message. */
const REFUSED: Record<string, string> = {
  FunCall: 'a call (only the listed filters may be applied, with |)',
  Set: 'an assignment ({% set %})',
  Macro: 'a macro',
  Caller: 'a macro call ({% call %})',
  Import: 'an import',
  FromImport: 'an import',
  Include: 'an include',
  Extends: 'a template inheritance ({% extends %})',
  Block: 'a template block',
  Super: 'super()',
  Capture: 'a filter block ({% filter %})',
  Is: 'a test (is ...)',
  Dict: 'a mapping literal',
  KeywordArgs: 'keyword arguments',
  CallExtension: 'an extension tag',
  CallExtensionAsync: 'an extension tag',
  Switch: 'a switch',
  AsyncEach: 'an asyncEach loop',
  AsyncAll: 'an asyncAll loop',
  IfAsync: 'an ifAsync',
  FilterAsync: 'an async filter',
};

const TOO_DEEP = 'the template nests too deeply to be a command (thousands of operators in one expression)';

/** Parses a lab template and checks every node against the whitelist; `roots` are the names the
 * template may read. Never evaluates anything. */
export function checkLabTemplate(
  source: string,
  roots: readonly string[],
): { template?: CheckedTemplate; problems: TemplateProblem[] } {
  let root: TNode;
  try {
    root = (
      nunjucks as unknown as { parser: { parse(s: string, e: unknown, o: object): TNode } }
    ).parser.parse(source, [], LEX);
  } catch (e) {
    const err = e as Error & { lineno?: number; colno?: number };
    // nunjucks' parser throws a TypeError on some unfinished tags
    const message =
      err.lineno === undefined
        ? 'the template does not parse (a {{ or {% left open?)'
        : err.message.replace(/^\(unknown path\)\s*(\[[^\]]*\])?\s*/, '').trim();
    return {
      problems: [{ code: 'template-invalid', message, line: err.lineno ?? 1, column: err.colno ?? 1 }],
    };
  }
  const problems: TemplateProblem[] = [];
  const at = (n: TNode) => ({ line: n.lineno + 1, column: n.colno + 1 });
  const refuse = (n: TNode, message: string, token?: string, code: TemplateProblemCode = 'template-unsafe') =>
    problems.push({ code, message, ...at(n), token });

  const walk = (n: TNode | null | undefined, scope: readonly string[]): void => {
    if (!n) return;
    const t = n.typename;
    if (t === 'Root' || t === 'NodeList' || t === 'Output' || t === 'Array') {
      for (const c of n.children ?? []) walk(c, scope);
    } else if (t === 'TemplateData') {
      // text around the tags
    } else if (t === 'Literal') {
      if (!(n.value === null || isPrimitive(n.value)))
        refuse(n, 'a literal that is no string, number or boolean');
    } else if (t === 'Symbol') {
      const name = String(n.value);
      if (GLOBALS.has(name))
        refuse(n, `'${name}' is a nunjucks global (a JavaScript function), not lab data`, name);
      else if (forbiddenKey(name) || JS_NAMES.has(name))
        refuse(n, `'${name}' leads to JavaScript, not lab data`, name);
      else if (!scope.includes(name) && !scope.includes('*') && !roots.includes(name))
        refuse(
          n,
          `'${name}' names nothing a lab template may read (${roots.join(', ')})`,
          name,
          'template-invalid',
        );
    } else if (t === 'LookupVal') {
      walk(n.target as TNode, scope);
      const key = n.val as TNode;
      if (key.typename === 'Literal') {
        if (typeof key.value === 'string' && forbiddenKey(key.value))
          refuse(key, `'.${key.value}' leads to JavaScript, not lab data`, key.value);
        else if (typeof key.value !== 'string' && !Number.isInteger(key.value))
          refuse(key, 'a lookup by something other than a name or an index');
      } else walk(key, scope);
    } else if (t === 'Group') {
      if ((n.children ?? []).length !== 1) refuse(n, 'a tuple', undefined, 'template-invalid');
      for (const c of n.children ?? []) walk(c, scope);
    } else if (BINARY.has(t)) {
      walk(n.left as TNode, scope);
      walk(n.right as TNode, scope);
    } else if (UNARY.has(t)) {
      walk(n.target as TNode, scope);
    } else if (t === 'Compare') {
      walk(n.expr as TNode, scope);
      for (const op of n.ops as TNode[]) {
        if (!COMPARE.has(String(op.type))) refuse(op, `the comparison '${op.type}'`);
        walk(op.expr as TNode, scope);
      }
    } else if (t === 'InlineIf' || t === 'If') {
      walk(n.cond as TNode, scope);
      walk(n.body as TNode, scope);
      walk(n.else_ as TNode, scope);
    } else if (t === 'For') {
      walk(n.arr as TNode, scope);
      const target = n.name as TNode;
      const names = target.typename === 'Symbol' ? [target] : (target.children ?? []);
      if (names.length > 2 || names.some((s) => s.typename !== 'Symbol'))
        refuse(target, 'a loop over more than a name, or a key and a value', undefined, 'template-invalid');
      const bound = names.map((s) => String(s.value));
      for (const b of bound) if (forbiddenKey(b) || GLOBALS.has(b)) refuse(target, `the loop name '${b}'`, b);
      walk(n.body as TNode, [...scope, ...bound, 'loop']);
      walk(n.else_ as TNode, scope);
    } else if (t === 'Filter') {
      const name = String((n.name as TNode).value);
      const filter = FILTERS[name];
      const args = ((n.args as TNode).children ?? []).slice(1);
      if (!filter)
        refuse(
          n.name as TNode,
          `the filter '${name}' (lab templates have ${LAB_TEMPLATE_FILTERS.join(', ')})`,
          name,
        );
      else if (args.length < filter.args[0] || args.length > filter.args[1])
        refuse(
          n.name as TNode,
          `the filter '${name}' takes ${filter.args[1]} argument(s)`,
          name,
          'template-invalid',
        );
      for (const c of (n.args as TNode).children ?? []) walk(c, scope);
    } else {
      refuse(n, `${REFUSED[t] ?? `the construct ${t}`} is not available in lab templates`);
      // and what it holds, so that one run of lint names every problem (the names it binds or reads
      // are its own: not reported as unknown besides)
      for (const f of (n.fields as string[] | undefined) ?? []) {
        const v = n[f] as TNode | TNode[] | undefined;
        for (const c of Array.isArray(v) ? v : [v])
          if (c && typeof c === 'object' && 'typename' in c) walk(c, [...scope, '*']);
      }
    }
  };
  try {
    walk(root, []);
  } catch (e) {
    if (!(e instanceof RangeError)) throw e;
    return { problems: [{ code: 'template-invalid', message: TOO_DEEP, line: 1, column: 1 }] };
  }
  return problems.length ? { problems } : { template: { root }, problems };
}

/** Most nodes one rendering may evaluate, and most characters it may write: a loop nest over lab data
 * ends, it does not fill the memory. */
const MAX_STEPS = 200_000;
const MAX_OUTPUT = 1024 * 1024;

function isData(v: Value): v is Record<string, Value> {
  return typeof v === 'object' && v !== null && Object.getPrototypeOf(v) === null;
}

/** A deep copy of plain data: mappings without a prototype, no functions: what a template may read. */
export function asTemplateData(value: Value, depth = 0): Value {
  if (value === null || isPrimitive(value)) return value;
  if (depth > 32 || typeof value !== 'object') return undefined;
  // lists are fresh copies: a lookup reaches only their own indices and length, never Array.prototype
  if (Array.isArray(value)) return value.map((v) => asTemplateData(v, depth + 1));
  const out: Record<string, Value> = Object.create(null);
  for (const [k, v] of Object.entries(value)) {
    const copy = asTemplateData(v, depth + 1);
    if (copy !== undefined && !forbiddenKey(k)) out[k] = copy;
  }
  return out;
}

/** Renders a checked template over data made by asTemplateData. Throws LabTemplateError. */
export function renderLabTemplate(template: CheckedTemplate, data: Value): string {
  need(isData(data), 'a lab template reads only lab data', 'template-unsafe');
  let steps = 0;
  let out = '';
  const write = (s: string) => {
    out += s;
    need(out.length <= MAX_OUTPUT, `the command grows beyond ${MAX_OUTPUT} characters`);
  };

  const lookup = (target: Value, key: Value): Value => {
    need(
      typeof key === 'string' || (typeof key === 'number' && Number.isInteger(key)),
      'a lookup by something other than a name or an index',
    );
    const k = key as string | number;
    need(
      !(typeof k === 'string' && forbiddenKey(k)),
      `'${k}' leads to JavaScript, not lab data`,
      'template-unsafe',
    );
    if (typeof target === 'string') {
      if (k === 'length') return target.length;
      need(typeof k === 'number' && k >= 0 && k < target.length, `the string has no '${k}'`);
      return target[k as number];
    }
    need(Array.isArray(target) || isData(target), `${describe(target)} has no '${k}'`);
    need(Object.hasOwn(target as object, k), `'${k}' is undefined`);
    const v = (target as Record<string | number, Value>)[k];
    need(typeof v !== 'function' && v !== undefined, `'${k}' is undefined`);
    return v;
  };

  const truthy = (v: Value) => !!v;

  const print = (v: Value): string => {
    if (isPrimitive(v)) return String(v);
    need(v !== null && v !== undefined, 'a value is undefined (null)');
    need(Array.isArray(v), 'a mapping cannot be printed: name one of its keys');
    let text = '';
    for (const item of v as Value[]) {
      text += (text ? ',' : '') + print(item);
      need(text.length <= MAX_OUTPUT, `a value grows beyond ${MAX_OUTPUT} characters`);
    }
    return text;
  };

  // every value made on the way, not only the output: a loop name bound to `v ~ v` doubles per nest,
  // and 18 nests made a 256 MiB string whose `| reverse` exhausted the heap (a fatal crash, no error)
  const evaluate = (n: TNode, scope: Map<string, Value>): Value => {
    const v = evaluateUnbounded(n, scope);
    need(
      !(typeof v === 'string' || Array.isArray(v)) || v.length <= MAX_OUTPUT,
      `a value grows beyond ${MAX_OUTPUT} characters`,
    );
    return v;
  };

  const evaluateUnbounded = (n: TNode, scope: Map<string, Value>): Value => {
    need(++steps <= MAX_STEPS, `the template takes more than ${MAX_STEPS} steps`);
    const t = n.typename;
    switch (t) {
      case 'Literal':
        return n.value;
      case 'Symbol': {
        const name = String(n.value);
        if (scope.has(name)) return scope.get(name);
        return lookup(data, name);
      }
      case 'LookupVal':
        return lookup(evaluate(n.target as TNode, scope), evaluate(n.val as TNode, scope));
      case 'Group':
        need((n.children ?? []).length === 1, 'a tuple');
        return evaluate((n.children as TNode[])[0], scope);
      case 'Array':
        return (n.children ?? []).map((c) => evaluate(c, scope));
      case 'And': {
        const l = evaluate(n.left as TNode, scope);
        return truthy(l) ? evaluate(n.right as TNode, scope) : l;
      }
      case 'Or': {
        const l = evaluate(n.left as TNode, scope);
        return truthy(l) ? l : evaluate(n.right as TNode, scope);
      }
      case 'Not':
        return !truthy(evaluate(n.target as TNode, scope));
      case 'Neg':
      case 'Pos': {
        const v = evaluate(n.target as TNode, scope);
        need(typeof v === 'number', `${t === 'Neg' ? '-' : '+'} needs a number, got ${describe(v)}`);
        return t === 'Neg' ? -(v as number) : v;
      }
      case 'Add': {
        const l = evaluate(n.left as TNode, scope);
        const r = evaluate(n.right as TNode, scope);
        if (typeof l === 'number' && typeof r === 'number') return l + r;
        need(
          isPrimitive(l) && isPrimitive(r),
          `+ needs numbers or strings, got ${describe(l)} and ${describe(r)}`,
        );
        return String(l) + String(r);
      }
      case 'Concat':
        return print(evaluate(n.left as TNode, scope)) + print(evaluate(n.right as TNode, scope));
      case 'In': {
        const l = evaluate(n.left as TNode, scope);
        const r = evaluate(n.right as TNode, scope);
        if (typeof r === 'string') return typeof l === 'string' && r.includes(l);
        if (Array.isArray(r)) return Array.prototype.indexOf.call(r, l) >= 0;
        need(isData(r), `'in' needs a list, a string or a mapping, got ${describe(r)}`);
        return (typeof l === 'string' || typeof l === 'number') && Object.hasOwn(r as object, l);
      }
      case 'Compare': {
        let left = evaluate(n.expr as TNode, scope);
        for (const op of n.ops as TNode[]) {
          const right = evaluate(op.expr as TNode, scope);
          if (!compare(String(op.type), left, right)) return false;
          left = right;
        }
        return true;
      }
      case 'InlineIf':
        if (truthy(evaluate(n.cond as TNode, scope))) return evaluate(n.body as TNode, scope);
        return n.else_ ? evaluate(n.else_ as TNode, scope) : '';
      case 'Filter': {
        const [input, ...args] = ((n.args as TNode).children ?? []).map((c) => evaluate(c, scope));
        const filter = FILTERS[String((n.name as TNode).value)];
        need(!!filter, 'an unknown filter');
        // join's input and separator are bounded, not its output: a list of big values joined by a big one
        if (filter === FILTERS.join && Array.isArray(input))
          need(
            input.reduce((n: number, x) => n + String(x).length, 0) +
              (input.length - 1) * String(args[0] ?? '').length <=
              MAX_OUTPUT,
            `a value grows beyond ${MAX_OUTPUT} characters`,
          );
        return filter.apply(input, ...args);
      }
      default: {
        const op = ARITHMETIC[t];
        need(!!op, `${REFUSED[t] ?? `the construct ${t}`} is not available in lab templates`);
        const l = evaluate(n.left as TNode, scope);
        const r = evaluate(n.right as TNode, scope);
        need(
          typeof l === 'number' && typeof r === 'number',
          `arithmetic needs numbers (| int makes one), got ${describe(l)} and ${describe(r)}`,
        );
        return op(l as number, r as number);
      }
    }
  };

  const compare = (op: string, a: Value, b: Value): boolean => {
    if (op === '==' || op === '!=' || op === '===' || op === '!==') {
      const strict = op.length === 3;
      // loose equality (Jinja2's 1 == '1') only between primitives: no object is ever converted
      // biome-ignore lint/suspicious/noDoubleEquals: as nunjucks compares, on primitives only
      const same = !strict && isPrimitive(a) && isPrimitive(b) ? a == b : a === b;
      return op.startsWith('=') ? same : !same;
    }
    need(
      (typeof a === 'number' && typeof b === 'number') || (typeof a === 'string' && typeof b === 'string'),
      `'${op}' compares two numbers or two strings, got ${describe(a)} and ${describe(b)}`,
    );
    const x = a as number;
    const y = b as number;
    return op === '<' ? x < y : op === '>' ? x > y : op === '<=' ? x <= y : x >= y;
  };

  const run = (n: TNode | null | undefined, scope: Map<string, Value>): void => {
    if (!n) return;
    need(++steps <= MAX_STEPS, `the template takes more than ${MAX_STEPS} steps`);
    const t = n.typename;
    if (t === 'Root' || t === 'NodeList') {
      for (const c of n.children ?? []) run(c, scope);
    } else if (t === 'Output') {
      for (const c of n.children ?? [])
        write(c.typename === 'TemplateData' ? String(c.value ?? '') : print(evaluate(c, scope)));
    } else if (t === 'If') {
      if (truthy(evaluate(n.cond as TNode, scope))) run(n.body as TNode, scope);
      else run(n.else_ as TNode, scope);
    } else if (t === 'For') {
      const items = evaluate(n.arr as TNode, scope);
      const target = n.name as TNode;
      const names = (target.typename === 'Symbol' ? [target] : (target.children ?? [])).map((s) =>
        String(s.value),
      );
      let rows: Value[][];
      if (Array.isArray(items)) rows = Array.from({ length: items.length }, (_, i) => [items[i]]);
      else {
        need(isData(items), `a loop needs a list or a mapping, got ${describe(items)}`);
        rows = Object.keys(items as object).map((k) => [k, (items as Record<string, Value>)[k]]);
      }
      if (!rows.length) {
        run(n.else_ as TNode, scope);
        return;
      }
      rows.forEach((row, i) => {
        const inner = new Map(scope);
        // one name: the item (a mapping's key); two: a mapping's key and value, or a pair's two items
        const bound =
          names.length === 1 ? [row[0]] : row.length === 2 ? row : [lookup(row[0], 0), lookup(row[0], 1)];
        names.forEach((name, j) => {
          inner.set(name, bound[j]);
        });
        const loop: Record<string, Value> = Object.create(null);
        Object.assign(loop, {
          index: i + 1,
          index0: i,
          revindex: rows.length - i,
          revindex0: rows.length - i - 1,
          first: i === 0,
          last: i === rows.length - 1,
          length: rows.length,
        });
        inner.set('loop', loop);
        run(n.body as TNode, inner);
      });
    } else {
      need(false, `${REFUSED[t] ?? `the construct ${t}`} is not available in lab templates`);
    }
  };

  try {
    run(template.root, new Map());
  } catch (e) {
    if (e instanceof RangeError) need(false, TOO_DEEP);
    throw e;
  }
  return out;
}

/** Checks and renders in one go (the engine and the plans): refuses what lint refuses, never evaluates it. */
export function renderLabString(source: string, data: Value, roots: readonly string[]): string {
  const { template, problems } = checkLabTemplate(source, roots);
  if (!template) {
    const p = problems[0];
    throw new LabTemplateError(
      `lab template: ${p.message} (line ${p.line}, column ${p.column} of the command; lint reports it as ${p.code})`,
      { code: p.code },
    );
  }
  return renderLabTemplate(template, data);
}
