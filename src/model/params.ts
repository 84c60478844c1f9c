// Parameters: defaults from the lab file, overridden by --set, substituted for ${name} references.

import { isCommandTemplate } from '../core/command-context.js';
import type { Issue, Path } from '../core/issue.js';
import type { ParamValue, ParamValues } from '../core/lab.js';
import { DefinitionError } from '../errors.js';

const SET = { code: 'set-invalid' };

export interface SetOverride {
  key: string;
  value: string;
}

/** Parses --set key=value flags; a malformed one is a definition error naming the flag. */
export function parseSets(sets: string[]): SetOverride[] {
  return sets.map((s) => {
    const m = /^([a-z_][a-z0-9_]*)=(.*)$/.exec(s);
    if (!m) throw new DefinitionError(`--set '${s}': expected key=value, for example --set workers=5`, SET);
    return { key: m[1], value: m[2] };
  });
}

interface ParamDef {
  default: ParamValue;
  min?: number;
  max?: number;
  choices?: (string | number)[];
}

function coerce(def: ParamDef, text: string): ParamValue | string {
  if (typeof def.default === 'number') {
    const n = Number(text);
    if (text.trim() === '' || !Number.isFinite(n)) return `expected a number, got '${text}'`;
    if (def.min !== undefined && n < def.min) return `${n} is below the minimum ${def.min}`;
    if (def.max !== undefined && n > def.max) return `${n} is above the maximum ${def.max}`;
    return n;
  }
  if (typeof def.default === 'boolean') {
    if (text === 'true' || text === 'false') return text === 'true';
    return `expected true or false, got '${text}'`;
  }
  return text;
}

const REF = /\$\{([a-z_][a-z0-9_]*)\}/g;
const WHOLE_REF = /^\$\{([a-z_][a-z0-9_]*)\}$/;

/** A check's command: the one place of a lab file that is a template (core/lab-template.ts). */
const isTemplateField = (path: Path) =>
  path.length === 3 && path[0] === 'checks' && typeof path[1] === 'number' && path[2] === 'run';

/** A value as a template's string literal: the evaluator prints it as it is. */
const literal = (text: string, quote = '"') =>
  `${quote}${text.replace(/[\\\n\r\t]|["']/g, (c) => (c === '"' || c === "'" ? (c === quote ? `\\${c}` : c) : ESCAPES[c]))}${quote}`;
const ESCAPES: Record<string, string> = { '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/**
 * ${name} in a check's command, substituted as data: a value never becomes template code. In the
 * command's text, a value with a brace, % or # (which could open or close a tag with its neighbours)
 * goes in as a string literal, {{ "..." }}, which prints it as it is; inside a tag, a string goes in
 * as a quoted literal, a number or a boolean as itself; in a comment, not at all.
 */
function substituteInTemplate(
  source: string,
  value: (name: string, ref: string) => ParamValue | string,
): string {
  let out = '';
  let state: 'text' | 'code' | 'comment' | '"' | "'" = 'text';
  for (let i = 0; i < source.length; ) {
    const ref = state === 'comment' ? null : /^\$\{([a-z_][a-z0-9_]*)\}/.exec(source.slice(i, i + 64));
    if (ref) {
      const v = value(ref[1], ref[0]);
      const text = String(v);
      if (text === ref[0])
        out += text; // not a parameter (a repeat variable): left for later
      else if (state === 'text' && /[{}%#]/.test(text)) {
        // braces just before belong to the literal: `{` + `{{ "..." }}` would open a tag
        const braces = /\{*$/.exec(out)![0];
        out = `${out.slice(0, out.length - braces.length)}{{ ${literal(braces + text)} }}`;
      } else if (state === 'text') out += text;
      else if (state === 'code') out += typeof v === 'string' ? literal(text) : text;
      else out += literal(text, state).slice(1, -1);
      i += ref[0].length;
      continue;
    }
    const two = source.slice(i, i + 2);
    const c = source[i];
    if (state === 'text' && (two === '{{' || two === '{%' || two === '{#')) {
      state = two === '{#' ? 'comment' : 'code';
      out += two;
      i += 2;
      continue;
    }
    if ((state === 'code' && (two === '}}' || two === '%}')) || (state === 'comment' && two === '#}')) {
      state = 'text';
      out += two;
      i += 2;
      continue;
    }
    if (state === 'code' && (c === '"' || c === "'")) state = c;
    else if ((state === '"' || state === "'") && c === '\\') {
      out += source.slice(i, i + 2);
      i += 2;
      continue;
    } else if (state === c) state = 'code';
    out += c;
    i++;
  }
  return out;
}

/** Resolves parameter values and replaces ${name} throughout the document (a whole-string reference keeps the type). */
export function applyParams(
  data: Record<string, unknown>,
  sets: SetOverride[],
): { values: ParamValues; issues: Issue[]; data: Record<string, unknown> } {
  const issues: Issue[] = [];
  const defs = (data.params ?? {}) as Record<string, ParamDef>;
  const values: ParamValues = {};
  for (const [key, def] of Object.entries(defs)) {
    if (!def || typeof def !== 'object' || !('default' in def)) continue;
    values[key] = def.default;
    // the default obeys the parameter's own bounds, as a --set value does
    const bad = typeof def.default === 'number' ? coerce(def, String(def.default)) : undefined;
    if (typeof bad === 'string')
      issues.push({
        code: 'param-range',
        severity: 'error',
        path: ['params', key, 'default'],
        message: `parameter ${key}: its default ${bad}`,
        hint: 'the default must lie within min and max: change one of them',
      });
  }
  for (const { key, value } of sets) {
    // own keys only: --set constructor=x named Object's constructor, and failed with 'x' for a message
    const def = Object.hasOwn(defs, key) ? defs[key] : undefined;
    if (!def) {
      const known = Object.keys(defs);
      throw new DefinitionError(
        `--set ${key}: this lab has no parameter '${key}'; ${known.length ? `its parameters are ${known.join(', ')}` : 'it has no parameters'}`,
        SET,
      );
    }
    const v = coerce(def, value);
    if (typeof v === 'string' && typeof def.default !== 'string') {
      throw new DefinitionError(`--set ${key}=${value}: ${v}`, SET);
    }
    if (def.choices && !def.choices.includes(v as string | number)) {
      throw new DefinitionError(`--set ${key}=${value}: expected one of ${def.choices.join(', ')}`, SET);
    }
    values[key] = v;
  }

  const walk = (value: unknown, path: Path, localVars: string[]): unknown => {
    if (typeof value === 'string') {
      const lookup = (name: string, ref: string): ParamValue | string => {
        // own keys only: ${constructor} or ${__proto__} printed Object's, and lint said ok
        if (Object.hasOwn(values, name)) return values[name];
        if (!localVars.includes(name)) {
          issues.push({
            code: 'param-unknown',
            severity: 'error',
            path,
            message: `\${${name}} names no parameter`,
            hint: `declare it under params: (known: ${Object.keys(values).join(', ') || 'none'})`,
          });
        }
        return ref;
      };
      if (isTemplateField(path)) {
        const plain = value.replace(REF, (ref, name: string) =>
          String(Object.hasOwn(values, name) ? values[name] : ref),
        );
        // a command that is no template, with values that make none, is never rendered
        if (!isCommandTemplate(value) && !isCommandTemplate(plain))
          return value.replace(REF, (ref, name: string) => String(lookup(name, ref)));
        return substituteInTemplate(value, lookup);
      }
      const whole = WHOLE_REF.exec(value);
      if (whole && Object.hasOwn(values, whole[1])) return values[whole[1]];
      return value.replace(REF, (ref, name: string) => String(lookup(name, ref)));
    }
    if (Array.isArray(value)) return value.map((v, i) => walk(v, [...path, i], localVars));
    if (value && typeof value === 'object') {
      // a check's repeat variable is bound per run, not a parameter
      const repeatVar = (value as { repeat?: { var?: string } }).repeat?.var;
      const vars = typeof repeatVar === 'string' ? [...localVars, repeatVar] : localVars;
      return Object.fromEntries(
        Object.entries(value).map(([k, v]) => [
          k,
          k === 'params' && path.length === 0 ? v : walk(v, [...path, k], vars),
        ]),
      );
    }
    return value;
  };
  return { values, issues, data: walk(data, [], []) as Record<string, unknown> };
}
