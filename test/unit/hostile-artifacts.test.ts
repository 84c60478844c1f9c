// Every string field of the schema, fed a hostile value (a newline and a command, quotes, $(), backticks,
// {{ }}, #{}, a YAML document or mapping, !unsafe), one field at a time on each shipped lab: either lint
// refuses it with a code, or every artifact (rendered files, Vagrant project, inventory) still parses to
// the same structure as the lab's own: the same bash commands, YAML documents and keys, Ruby tree,
// config lines; and bash -n, ruby, bird -p, vtysh -C and gobgpd -d accept what changed.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse, parseAllDocuments, stringify } from 'yaml';
import type { z } from 'zod';
import type { RenderedFile } from '../../src/contracts/role.js';
import { validateFiles } from '../../src/host/validate.js';
import { inventoryOf, toAnsibleYaml, Unsafe } from '../../src/inventory/ansible.js';
import { lintLab } from '../../src/lint/index.js';
import { labSchema } from '../../src/model/lab-schema.js';
import { LabDefinitionError, loadLabText } from '../../src/model/load.js';
import { resolveLab } from '../../src/model/resolve.js';
import { buildProject } from '../../src/providers/vagrant/project.js';
import { renderLab } from '../../src/render/render-lab.js';
import { conformanceFile, isRoot, labFile } from '../helpers/labs.js';

const HOSTILE = [
  // a new line: a command, a YAML document, the end of a here-document
  'x\ntouch /tmp/lab-hostile #\n---\nkind: Namespace\nLAB_FILE_END\nid',
  // on one line: each kind of quote, substitutions, templates, Ruby interpolation, a YAML mapping
  `x'y"z\\ $(touch /tmp/lab-hostile)\`id\`{{ 7*7 }}{% raw %}#{\`id\`} a: b # c; id`,
  // YAML and Ansible tags where a scalar starts
  '!unsafe {{ 7*7 }}',
];

// [label, file, --set, realized on VMs too]
const BASES: [string, string, string[], boolean][] = [
  ['bgp-metallb', labFile('bgp-metallb'), [], true],
  ['bgp-metallb speaker=frr', labFile('bgp-metallb'), ['speaker=frr'], true],
  ['cilium-clustermesh', labFile('cilium-clustermesh'), [], true],
  ['multi-coe-calico', labFile('multi-coe-calico'), [], true],
  ['tf-multicluster', labFile('tf-multicluster'), [], true],
  ['md5-bfd-communities', conformanceFile('md5-bfd-communities'), [], false],
];

// Fields that are commands or host code by design, each owned elsewhere: a check's command runs on
// its node (its templates: the check evaluator), a step's script is host code `lab steps` lists.
const BY_DESIGN = [/^checks\.\d+\.run$/, /^steps\.\d+\.script$/];

type Def = { type: string; [k: string]: unknown };
const defOf = (s: z.ZodType): Def => (s as unknown as { _zod: { def: Def } })._zod.def;

/** Does this schema take a free string (not only an enum or a literal)? */
function takesString(s: z.ZodType): boolean {
  const d = defOf(s);
  if (d.type === 'string') return true;
  if (d.type === 'optional' || d.type === 'default') return takesString(d.innerType as z.ZodType);
  if (d.type === 'pipe') return takesString(d.in as z.ZodType);
  if (d.type === 'union') return (d.options as z.ZodType[]).some(takesString);
  return false;
}

/** Every place in `data` a string may go, per the schema: present values and absent optional keys. */
function stringPaths(s: z.ZodType, data: unknown, path: (string | number)[] = []): (string | number)[][] {
  const d = defOf(s);
  if (d.type === 'optional' || d.type === 'default') return stringPaths(d.innerType as z.ZodType, data, path);
  if (d.type === 'pipe') return stringPaths(d.in as z.ZodType, data, path);
  if (d.type === 'union')
    return (d.options as z.ZodType[]).flatMap((o) => {
      const od = defOf(o).type;
      // descend only into the option the data has the shape of
      if (od === 'object' && data && typeof data === 'object' && !Array.isArray(data))
        return stringPaths(o, data, path);
      if (od === 'array' && Array.isArray(data)) return stringPaths(o, data, path);
      return [];
    });
  if (d.type === 'object' && data && typeof data === 'object' && !Array.isArray(data)) {
    const shape = d.shape as Record<string, z.ZodType>;
    return Object.entries(shape).flatMap(([k, v]) => {
      const value = (data as Record<string, unknown>)[k];
      const here = takesString(v) && (value === undefined || typeof value === 'string') ? [[...path, k]] : [];
      return [...here, ...(value !== undefined ? stringPaths(v, value, [...path, k]) : [])];
    });
  }
  if (d.type === 'array' && Array.isArray(data)) {
    const el = d.element as z.ZodType;
    return data.flatMap((v, i) => [
      ...(takesString(el) && typeof v === 'string' ? [[...path, i]] : []),
      ...stringPaths(el, v, [...path, i]),
    ]);
  }
  if (d.type === 'record' && data && typeof data === 'object') {
    const el = d.valueType as z.ZodType;
    return Object.entries(data).flatMap(([k, v]) => [
      ...(typeof v === 'string' && (takesString(el) || defOf(el).type === 'unknown') ? [[...path, k]] : []),
      ...stringPaths(el, v, [...path, k]),
    ]);
  }
  return [];
}

/** One path per kind of place: the same field of a second node of the same roles, a second check or
 * a second pool renders through the same code. */
function onePerKind(
  paths: (string | number)[][],
  data: Record<string, Record<string, { roles?: string[] }>>,
) {
  const seen = new Set<string>();
  return paths.filter((p) => {
    const kind = p
      .map((k, i) =>
        i === 1 && p[0] === 'nodes'
          ? `[${data.nodes[k]?.roles?.join(',')}]`
          : typeof k === 'number' ||
              (i > 0 && ['nodes', 'networks', 'clusters', 'params', 'waits'].includes(String(p[i - 1])))
            ? '*'
            : k,
      )
      .join('.');
    if (seen.has(kind)) return false;
    seen.add(kind);
    return true;
  });
}

function setIn(data: unknown, path: (string | number)[], value: string): unknown {
  const copy = structuredClone(data) as Record<string | number, unknown>;
  let at = copy;
  for (const k of path.slice(0, -1)) at = at[k] as Record<string | number, unknown>;
  at[path[path.length - 1]] = value;
  return copy;
}

interface Artifact {
  path: string;
  content: string;
  validator?: RenderedFile['validator'];
}

type Outcome = { refused: { code: string; path: string }[] } | { artifacts: Artifact[] };

function outcome(text: string, file: string, sets: string[], vagrant: boolean): Outcome {
  let loaded: ReturnType<typeof loadLabText>;
  try {
    loaded = loadLabText(text, file, sets);
  } catch (e) {
    if (!(e instanceof LabDefinitionError)) throw e;
    return { refused: e.issues.map((i) => ({ code: i.code, path: i.path.join('.') })) };
  }
  const { lab, issues } = resolveLab(loaded);
  const errors = [...issues, ...lintLab(lab)].filter((i) => i.severity === 'error');
  if (errors.length) return { refused: errors.map((i) => ({ code: i.code, path: i.path.join('.') })) };
  const rendered = renderLab(lab);
  const artifacts: Artifact[] = rendered.map((f) => ({
    path: `rendered/${f.node}${f.path}`,
    content: f.content,
    validator: f.validator,
  }));
  if (vagrant) {
    const project = buildProject({
      lab,
      instance: 'hostile',
      mode: 'vagrant',
      hypervisor: 'libvirt',
      managementPrefix: '198.18.0.0/24',
      projectDir: '/nonexistent',
      rendered,
    });
    artifacts.push(...project.files.filter((f) => !f.path.startsWith('rendered/')));
  }
  const host = buildProject({
    lab,
    instance: 'hostile',
    mode: 'vagrant-host',
    hypervisor: 'libvirt',
    managementPrefix: '198.18.0.0/24',
    projectDir: '/nonexistent',
  });
  artifacts.push({ path: 'host/Vagrantfile', content: host.files[0].content });
  const hosts = lab.nodes.map((n, i) => ({ node: n.name, host: `198.18.1.${i + 2}` }));
  const inv = inventoryOf({ lab, instance: 'hostile', hosts, userKey: '/k', knownHosts: '/kh' });
  artifacts.push({ path: 'inventory.yaml', content: toAnsibleYaml(inv) });
  return { artifacts };
}

/** Bash, as a list of commands (first word, number of words) and command substitutions: what runs. */
function bashSkeleton(src: string): string[] {
  const out: string[] = [];
  let words: string[] = [];
  let word = '';
  let inWord = false;
  const pending: { marker: string; expands: boolean }[] = [];
  const flush = () => {
    if (inWord) words.push(word);
    word = '';
    inWord = false;
  };
  const end = () => {
    flush();
    if (words.length)
      out.push(`${words[0].replace(/^([A-Za-z_][A-Za-z0-9_]*)=.*$/s, '$1=')}/${words.length}`);
    words = [];
  };
  let i = 0;
  while (i < src.length) {
    const c = src[i];
    if (c === "'") {
      const j = src.indexOf("'", i + 1);
      if (j < 0) return [...out, 'UNTERMINATED-QUOTE'];
      word += 'Q';
      inWord = true;
      i = j + 1;
    } else if (c === '"') {
      let j = i + 1;
      for (; j < src.length && src[j] !== '"'; j++) {
        if (src[j] === '\\') j++;
        else if (src[j] === '`' || (src[j] === '$' && src[j + 1] === '(')) out.push('SUBST');
      }
      if (j >= src.length) return [...out, 'UNTERMINATED-QUOTE'];
      word += 'Q';
      inWord = true;
      i = j + 1;
    } else if (c === '\\') {
      word += src.slice(i, i + 2);
      inWord = true;
      i += 2;
    } else if (c === '#' && !inWord) {
      const j = src.indexOf('\n', i);
      i = j < 0 ? src.length : j;
    } else if (c === '\n') {
      end();
      i++;
      for (const h of pending.splice(0)) {
        for (;;) {
          const j = src.indexOf('\n', i);
          const line = src.slice(i, j < 0 ? src.length : j);
          i = j < 0 ? src.length : j + 1;
          if (line === h.marker || j < 0) break;
          if (h.expands && /`|\$\(/.test(line)) out.push('SUBST');
        }
      }
    } else if (c === ';' || c === '|' || c === '&') {
      end();
      out.push(c);
      i++;
    } else if (c === ' ' || c === '\t') {
      flush();
      i++;
    } else if (c === '`' || (c === '$' && src[i + 1] === '(')) {
      out.push('SUBST');
      word += c;
      inWord = true;
      i++;
    } else {
      const h = /^<<-?\s*(['"]?)([A-Za-z_][A-Za-z0-9_]*)\1/.exec(src.slice(i, i + 80));
      if (h) {
        pending.push({ marker: h[2], expands: !h[1] });
        word += '<<H';
        inWord = true;
        i += h[0].length;
      } else {
        word += c;
        inWord = true;
        i++;
      }
    }
  }
  end();
  return out;
}

/** YAML (and JSON): the documents, and in each the keys at every level; scalars are all alike. */
function yamlSkeleton(src: string): string {
  const docs = parseAllDocuments(src, { customTags: [unsafeTagForTests] });
  if (!Array.isArray(docs)) return 'EMPTY';
  const shape = (v: unknown): unknown =>
    Array.isArray(v)
      ? v.map(shape)
      : v && typeof v === 'object' && !(v instanceof Unsafe)
        ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, shape(x)]))
        : v instanceof Unsafe
          ? 'unsafe'
          : typeof v === 'string'
            ? 'string'
            : 'scalar';
  return JSON.stringify(
    docs.map((d) => (d.errors.length ? `ERROR ${d.errors[0].message}` : shape(d.toJS()))),
  );
}

const unsafeTagForTests = {
  tag: '!unsafe',
  resolve: (s: string) => new Unsafe(s),
};

/** Line-oriented configs (BIRD, FRR, TOML, nginx, sshd): the same lines, each starting alike. */
function lineSkeleton(src: string): string {
  return src
    .split('\n')
    .map((l) => /^\s*(\S*)/.exec(l)?.[1]?.replace(/^([A-Za-z_.-]+)\s*=.*$/, '$1='))
    .join('\n');
}

/** The inventory: one document, and every string under a lab_ variable tagged !unsafe. */
function inventorySkeleton(src: string): string {
  const docs = parseAllDocuments(src, { customTags: [unsafeTagForTests] });
  if (!Array.isArray(docs) || docs.length !== 1 || docs[0].errors.length) return 'not one YAML document';
  const plain: string[] = [];
  const walk = (v: unknown, path: string[]) => {
    if (typeof v === 'string' && path.some((k) => k.startsWith('lab_'))) plain.push(path.join('.'));
    else if (v && typeof v === 'object' && !(v instanceof Unsafe))
      for (const [k, x] of Object.entries(v)) walk(x, [...path, k]);
  };
  walk(docs[0].toJS(), []);
  return plain.length ? `plain strings at ${plain.join(', ')}` : 'every lab string !unsafe';
}

type Kind = 'bash' | 'yaml' | 'json' | 'ruby' | 'inventory' | 'lines';
function kindOf(a: Artifact): Kind {
  if (a.path === 'inventory.yaml') return 'inventory';
  if (a.path.endsWith('Vagrantfile')) return 'ruby';
  if (a.content.startsWith('#!') && /bash|\bsh\b/.test(a.content.split('\n')[0])) return 'bash';
  if (/\.ya?ml$/.test(a.path) || a.path.includes('/clustermesh/')) return 'yaml';
  if (a.path.endsWith('.json')) return 'json';
  return 'lines';
}

function skeleton(a: Artifact): string {
  switch (kindOf(a)) {
    case 'bash':
      return bashSkeleton(a.content).join(' ');
    case 'yaml':
      return yamlSkeleton(a.content);
    case 'json':
      return yamlSkeleton(JSON.stringify(JSON.parse(a.content)));
    case 'inventory':
      return inventorySkeleton(a.content);
    case 'ruby':
      return 'ruby'; // compared by Ripper, in one Ruby process, below
    default:
      return lineSkeleton(a.content);
  }
}

const hasTool = (cmd: string, args: string[]) => {
  try {
    execFileSync(cmd, args, { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
};
const hasRuby = hasTool('ruby', ['-e', 'require "ripper"']);
if (!hasRuby) console.warn('hostile artifacts: no ruby with ripper here, the Vagrantfiles are not parsed');

// Ruby's own parser: the tree of each file with string contents and positions left out
const RIPPER = `require 'ripper'
def norm(x)
  return x unless x.is_a?(Array)
  return [:s] if x[0] == :@tstring_content
  return [x[0], x[1]] if x[0].is_a?(Symbol) && x[0].to_s.start_with?('@')
  x.map { |y| norm(y) }.each_with_object([]) { |y, a| a << y unless y == [:s] && a.last == [:s] }
end
ARGV.each { |f| t = Ripper.sexp(File.read(f)); puts(t.nil? ? 'SYNTAX ERROR' : norm(t).inspect) }`;

const dir = mkdtempSync(join(tmpdir(), 'lab-hostile-artifacts-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('hostile values in every string field', () => {
  it('are refused with a code or quoted by construction in every artifact', async () => {
    const failures: string[] = [];
    const refusedWithoutCode: string[] = [];
    // what only a tool can tell: each changed file once, by its content
    const toParse = new Map<string, Changed>();
    let cases = 0;
    let accepted = 0;
    for (const [label, file, sets, vagrant] of BASES) {
      const data = parse(readFileSync(file, 'utf8'));
      const base = outcome(stringify(data), file, sets, vagrant);
      if (!('artifacts' in base)) throw new Error(`${label} itself is refused: ${JSON.stringify(base)}`);
      const baseByPath = new Map(base.artifacts.map((a) => [a.path, a]));
      const baseSkeleton = new Map(base.artifacts.map((a) => [a.path, skeleton(a)]));
      const paths = onePerKind(
        stringPaths(labSchema as unknown as z.ZodType, data).filter(
          (p) => !BY_DESIGN.some((r) => r.test(p.join('.'))),
        ),
        data,
      );
      for (const path of paths)
        for (const value of HOSTILE) {
          cases++;
          const where = `${label}: ${path.join('.')} = ${JSON.stringify(value)}`;
          let result: Outcome;
          try {
            result = outcome(stringify(setIn(data, path, value)), file, sets, vagrant);
          } catch (e) {
            failures.push(`${where}: lint said ok, then rendering threw: ${(e as Error).message}`);
            continue;
          }
          if ('refused' in result) {
            if (result.refused.some((r) => !r.code)) refusedWithoutCode.push(where);
            continue;
          }
          accepted++;
          if (process.env.HOSTILE_DEBUG) console.log(`accepted ${where.split(' = ')[0]}`);
          const now = new Map(result.artifacts.map((a) => [a.path, a]));
          const missing = [...baseByPath.keys()].filter((p) => !now.has(p));
          const extra = [...now.keys()].filter((p) => !baseByPath.has(p));
          if (missing.length || extra.length)
            failures.push(`${where}: files differ: -${missing.join(',')} +${extra.join(',')}`);
          for (const a of result.artifacts) {
            const b = baseByPath.get(a.path);
            if (!b || b.content === a.content) continue;
            let s: string;
            try {
              s = skeleton(a);
            } catch (e) {
              failures.push(`${where}: ${a.path} no longer parses: ${(e as Error).message}`);
              continue;
            }
            if (s !== baseSkeleton.get(a.path))
              failures.push(`${where}: ${a.path} changed structure:\n${diff(baseSkeleton.get(a.path)!, s)}`);
            else if (['bash', 'ruby'].includes(kindOf(a)) || a.validator)
              toParse.set(hash(a.content), { a, base: b, where });
          }
        }
    }
    const changed = [...toParse.values()];
    failures.push(...(await toolFailures(changed)));
    expect(failures, failures.slice(0, 20).join('\n\n')).toEqual([]);
    expect(refusedWithoutCode).toEqual([]);
    // the walk reached the fields: hundreds of cases, and free-text fields were accepted and rendered
    console.log(
      `hostile artifacts: ${cases} cases, ${accepted} accepted and rendered, ${changed.length} files checked by tools`,
    );
    expect(cases).toBeGreaterThan(150);
    expect(accepted).toBeGreaterThan(20);
  }, 120_000);
});

type Changed = { a: Artifact; base: Artifact; where: string };

/** What only a tool can tell, each changed file once: bash -n, Ruby's parse tree against the lab's
 * own Vagrantfile, and the daemons' checkers (gobgpd runs in an empty network namespace: root only). */
async function toolFailures(changed: Changed[]): Promise<string[]> {
  const failures: string[] = [];
  const scripts = changed.filter((c) => kindOf(c.a) === 'bash');
  const files = scripts.map((c, i) => write(`s${i}.sh`, c.a.content));
  if (files.length) {
    const bad = execFileSync(
      'bash',
      ['-c', 'for f; do bash -n "$f" 2>/dev/null || echo "$f"; done', '_', ...files],
      { encoding: 'utf8' },
    );
    for (const f of bad.split('\n').filter(Boolean))
      failures.push(
        `${scripts[files.indexOf(f)].where}: bash -n refuses ${scripts[files.indexOf(f)].a.path}`,
      );
  }
  const rubies = changed.filter((c) => kindOf(c.a) === 'ruby');
  if (hasRuby && rubies.length) {
    const trees = (paths: string[]) =>
      execFileSync('ruby', ['-e', RIPPER, ...paths], { encoding: 'utf8', maxBuffer: 1 << 26 }).split('\n');
    const now = trees(rubies.map((c, i) => write(`r${i}.rb`, c.a.content)));
    const before = trees(rubies.map((c, i) => write(`b${i}.rb`, c.base.content)));
    rubies.forEach((c, i) => {
      if (now[i] !== before[i]) failures.push(`${c.where}: ${c.a.path}: Ruby parses it differently`);
    });
  }
  if (isRoot) {
    const daemonFiles = changed.filter((c) => c.a.validator);
    const results = await validateFiles(
      daemonFiles.map((c) => ({ node: 'x', path: c.a.path, content: c.a.content, validator: c.a.validator })),
    );
    results.forEach((r, i) => {
      if (!r.ok) failures.push(`${daemonFiles[i].where}: ${r.tool} refuses ${r.file.path}: ${r.output}`);
    });
  }
  return failures;
}

function write(name: string, content: string): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

function hash(s: string): string {
  return createHash('sha256').update(s).digest('hex');
}

function diff(a: string, b: string): string {
  const x = a.split(/\n| /);
  const y = b.split(/\n| /);
  const i = x.findIndex((v, k) => v !== y[k]);
  return `  at ${i}: ${x.slice(Math.max(0, i - 2), i + 3).join(' ')}  ->  ${y.slice(Math.max(0, i - 2), i + 3).join(' ')}`;
}

describe('bashSkeleton', () => {
  it('sees a command a value let in, and not one inside quotes, comments or a quoted here-document', () => {
    expect(bashSkeleton("echo 'a\ntouch x' # c\ncat <<'E'\n$(id)\nE\n")).toEqual(['echo/2', 'cat/2']);
    expect(bashSkeleton('echo a\ntouch x #\n')).toEqual(['echo/2', 'touch/2']);
    expect(bashSkeleton('echo "$(id)"')).toEqual(['SUBST', 'echo/2']);
    expect(bashSkeleton('X=1 y')).toEqual(['X=/2']);
  });
});

describe('the tools the walk relies on', () => {
  it('catch what a skeleton cannot: a bash syntax error, Ruby interpolation, a broken BIRD file', async () => {
    const vagrantfile = 'config.vm.hostname = "x"\n';
    const changed: Changed[] = [
      {
        a: { path: 's.sh', content: '#!/usr/bin/env bash\nif true; then\n' },
        base: { path: 's.sh', content: '' },
        where: 'bash',
      },
      {
        a: { path: 'Vagrantfile', content: 'config.vm.hostname = "#{`id`}"\n' },
        base: { path: 'Vagrantfile', content: vagrantfile },
        where: 'ruby',
      },
      {
        a: { path: 'bird.conf', content: 'protocol bgp x { import all; }\n', validator: 'bird' },
        base: { path: 'bird.conf', content: '' },
        where: 'bird',
      },
    ];
    const found = (await toolFailures(changed)).map((f) => f.split(':')[0]);
    expect(found).toEqual(['bash', ...(hasRuby ? ['ruby'] : []), ...(isRoot ? ['bird'] : [])]);
  });
});
