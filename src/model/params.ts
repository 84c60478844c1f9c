// Parameters: defaults from the lab file, overridden by --set, substituted for ${name} references.

import type { Issue, Path } from '../core/issue.js';
import { DefinitionError } from '../errors.js';

export type ParamValue = string | number | boolean;
export type ParamValues = Record<string, ParamValue>;

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
    const def = defs[key];
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
      const whole = WHOLE_REF.exec(value);
      if (whole && whole[1] in values) return values[whole[1]];
      return value.replace(REF, (ref, name: string) => {
        if (name in values) return String(values[name]);
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
      });
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
