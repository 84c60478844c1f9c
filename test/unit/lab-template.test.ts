// A lab file is data: its check commands' templates go through a whitelist (core/lab-template.ts).
// Each known escape from a nunjucks template to JavaScript is refused by lint with its code, at its
// place in the file, and never runs: not in lint, not when the commands are rendered (up, check),
// not in the vagrant plan (up --plan, render). A canary file proves it: the payload writes it.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { checkCommandContext, renderCheckCommand } from '../../src/core/command-context.js';
import type { Issue } from '../../src/core/issue.js';
import {
  asTemplateData,
  checkLabTemplate,
  LabTemplateError,
  renderLabTemplate,
} from '../../src/core/lab-template.js';
import { renderString } from '../../src/core/templates.js';
import { commandsOf } from '../../src/engine/checks.js';
import { LabDefinitionError, loadLab } from '../../src/model/load.js';
import { inspectLab } from '../../src/model/open.js';
import { resolveLab } from '../../src/model/resolve.js';
import { formatPlan } from '../../src/providers/vagrant/plan.js';
import { LAB_BIN } from '../helpers/cli.js';
import { FIXTURES, LAB_NAMES, labFile } from '../helpers/labs.js';

const dir = mkdtempSync(join(tmpdir(), 'lab-template-'));
const CANARY = join(dir, 'canary');
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(() => rmSync(CANARY, { force: true }));

/** JavaScript that writes the canary, as a nunjucks string literal's content. */
const JS = `return process.getBuiltinModule('fs').writeFileSync('${CANARY}', 'x')`;

/** A small lab (a group `worker`, a client) whose one check runs `run`. */
const base = readFileSync(join(FIXTURES, 'lint', 'check-regex-invalid.yaml'), 'utf8')
  .split('\n')
  .filter((l) => !l.startsWith('#'))
  .join('\n')
  .replace(/checks:[\s\S]*$/, '');
function labText(run: string, params = ''): string {
  return `${base}${params}checks:\n  - name: c\n    node: client\n    run: ${JSON.stringify(run)}\n    expect: { match: x }\n`;
}
let n = 0;
function labFileWith(run: string, params = ''): string {
  const file = join(dir, `lab-${n++}.yaml`);
  writeFileSync(file, labText(run, params));
  return file;
}
function issuesOf(file: string, sets: string[] = []): Issue[] {
  try {
    return inspectLab(file, sets).issues;
  } catch (e) {
    if (e instanceof LabDefinitionError) return e.issues;
    throw e;
  }
}

/** Every class of escape known for nunjucks and Jinja2 templates; `live` ones run the payload when
 * nunjucks itself renders them, which proves the canary can appear. */
const ESCAPES: { name: string; run: string; live?: boolean }[] = [
  { name: 'the range global', run: `x {{ range.constructor("${JS}")() }}`, live: true },
  { name: 'the cycler global', run: `x {{ cycler.constructor("${JS}")() }}`, live: true },
  { name: 'the joiner global', run: `x {{ joiner.constructor("${JS}")() }}`, live: true },
  { name: 'a mapping of lab data', run: `x {{ groups.constructor.constructor("${JS}")() }}`, live: true },
  { name: 'a list of lab data', run: `x {{ groups.worker.constructor.constructor("${JS}")() }}`, live: true },
  { name: 'a string literal', run: `x {{ "a".constructor.constructor("${JS}")() }}`, live: true },
  { name: 'a number literal', run: `x {{ (1).constructor.constructor("${JS}")() }}`, live: true },
  {
    name: "a filter's result",
    run: `x {{ (groups.worker | length).constructor.constructor("${JS}")() }}`,
    live: true,
  },
  {
    name: 'a loop variable',
    run: `x {% for w in groups.worker %}{{ w.constructor.constructor("${JS}")() }}{% endfor %}`,
    live: true,
  },
  {
    name: 'the loop object',
    run: `x {% for w in groups.worker %}{{ loop.constructor.constructor("${JS}")() }}{% endfor %}`,
  },
  {
    name: 'subscripts',
    run: `x {{ groups["constructor"]["constructor"]("${JS}")() }}`,
    live: true,
  },
  {
    name: 'a computed key',
    run: `x {{ groups["con" ~ "structor"]["con" ~ "structor"]("${JS}")() }}`,
    live: true,
  },
  { name: '__proto__', run: 'x {{ groups.__proto__.polluted }}' },
  { name: '__proto__ by subscript', run: "x {{ groups['__proto__'] }}" },
  { name: 'a set tag', run: `{% set f = range.constructor("${JS}") %}x {{ f() }}`, live: true },
  {
    name: 'a macro',
    run: `{% macro m() %}{{ range.constructor("${JS}")() }}{% endmacro %}x {{ m() }}`,
    live: true,
  },
  {
    name: 'a call block',
    run: `{% macro m() %}{{ caller() }}{% endmacro %}{% call m() %}y{% endcall %}x {{ 1 }}`,
  },
  { name: 'a filter block', run: '{% filter upper %}x{% endfilter %} {{ 1 }}' },
  { name: 'an include', run: "x {% include '/etc/hostname' %} {{ 1 }}" },
  { name: 'an import', run: "x {% import '/etc/hostname' as h %} {{ 1 }}" },
  { name: 'a from-import', run: "x {% from '/etc/hostname' import h %} {{ 1 }}" },
  { name: 'an extends', run: "{% extends '/etc/hostname' %} {{ 1 }}" },
  { name: 'a filter not listed', run: 'x {{ groups | dump }}' },
  { name: 'a method call', run: "x {{ groups.worker.join(',') }}" },
  { name: 'a JavaScript global', run: 'x {{ process.pid }}' },
  { name: 'a test', run: 'x {{ groups is defined }}' },
];

describe('lab templates: the escape corpus', () => {
  it('nunjucks itself runs the live ones: the canary can appear', () => {
    const { lab } = resolveLab(loadLab(labFileWith('x')));
    for (const e of ESCAPES.filter((x) => x.live)) {
      try {
        renderString(e.run, checkCommandContext(lab));
      } catch {}
      expect(existsSync(CANARY), e.name).toBe(true);
      rmSync(CANARY);
    }
  });

  it.each(ESCAPES)('$name: lint refuses it as template-unsafe at its place, and nothing runs', ({ run }) => {
    const file = labFileWith(run);
    const issues = issuesOf(file);
    const hit = issues.find((i) => i.code === 'template-unsafe');
    expect(hit, issues.map((i) => `${i.code}: ${i.message}`).join('\n')).toBeDefined();
    expect(hit!.line).toBeGreaterThan(0);
    expect(hit!.column).toBeGreaterThan(0);
    expect(hit!.message).toMatch(/^check c: its command's template \(column \d+\): /);
    // rendered as up and check render it, and as the vagrant plan prints it: refused, not run
    const { lab } = resolveLab(loadLab(file));
    expect(() => commandsOf(lab.checks[0], lab)).toThrow(LabTemplateError);
    expect(() => planOf(lab)).toThrow(LabTemplateError);
    expect(existsSync(CANARY)).toBe(false);
  });

  it('points at the word in the file: the column of `constructor`, not of `run:`', () => {
    const file = labFileWith('echo {{ groups.worker.constructor }}');
    const hit = issuesOf(file).find((i) => i.code === 'template-unsafe')!;
    const line = readFileSync(file, 'utf8').split('\n')[hit.line! - 1];
    expect(line.slice(hit.column! - 1)).toMatch(/^constructor/);
  });

  it('a key computed at run time is refused when rendered, whatever lint could see', () => {
    const data = asTemplateData({ groups: { worker: ['a'] } });
    const { template } = checkLabTemplate('{{ groups["con" ~ "structor"] }}', ['groups']);
    expect(() => renderLabTemplate(template!, data)).toThrow(/leads to JavaScript/);
    const proto = checkLabTemplate('{{ groups.worker["__pro" ~ "to__"] }}', ['groups']).template!;
    expect(() => renderLabTemplate(proto, data)).toThrow(/leads to JavaScript/);
  });

  it('a loop nest over lab data ends with an error, it does not hang', () => {
    const data = asTemplateData({ groups: { w: Array.from({ length: 100 }, (_, i) => i) } });
    const loops =
      '{% for a in groups.w %}{% for b in groups.w %}{% for c in groups.w %}.{% endfor %}{% endfor %}{% endfor %}';
    const { template } = checkLabTemplate(loops, ['groups']);
    expect(() => renderLabTemplate(template!, data)).toThrow(/steps|characters/);
  });

  it('a value that doubles per loop nest ends with an error, it does not exhaust the memory', () => {
    // 1000 characters doubled by 12 nests is 4 MB, though only its length is printed (18 nests and
    // `| reverse` crashed the process with a fatal heap error)
    const data = asTemplateData({ params: { big: 'x'.repeat(1000) } });
    const nests = Array.from({ length: 12 }, (_, i) => `{% for v${i + 1} in [v${i} ~ v${i}] %}`).join('');
    const doubling = `{% for v0 in [params.big] %}${nests}{{ v12 | length }}${'{% endfor %}'.repeat(13)}`;
    const joined = `{% for v0 in [params.big] %}{% for v1 in [v0 ~ v0 ~ v0 ~ v0 ~ v0 ~ v0 ~ v0 ~ v0 ~ v0 ~ v0] %}{% for v2 in [v1 ~ v1 ~ v1 ~ v1 ~ v1 ~ v1 ~ v1 ~ v1 ~ v1 ~ v1] %}{{ [v2, v2, v2, v2, v2, v2] | join(v2) | length }}{% endfor %}{% endfor %}{% endfor %}`;
    for (const source of [doubling, joined]) {
      const { template } = checkLabTemplate(source, ['params']);
      expect(() => renderLabTemplate(template!, data)).toThrow(/grows beyond/);
    }
  });

  it('a template nesting thousands deep is refused, not a stack overflow', () => {
    for (const deep of [
      `{{ 1${' + 1'.repeat(20000)} }}`,
      `{{ ${'-'.repeat(20000)}1 }}`,
      `{{ ${'('.repeat(5000)}1${')'.repeat(5000)} }}`,
    ]) {
      const { problems } = checkLabTemplate(deep, ['groups']);
      expect(problems.map((p) => p.code)).toEqual(['template-invalid']);
    }
  });

  it('the data a template reads has no prototype and no functions', () => {
    type Data = { a: { f?: unknown; b: [number, object] } };
    const data = asTemplateData({ a: { f: () => 1, b: [1, { c: 'd' }] } }) as Data;
    expect(Object.getPrototypeOf(data)).toBeNull();
    expect(Object.getPrototypeOf(data.a)).toBeNull();
    expect('f' in data.a).toBe(false);
    expect(Object.getPrototypeOf(data.a.b[1])).toBeNull();
  });
});

function planOf(lab: ReturnType<typeof resolveLab>['lab']): string {
  return formatPlan({
    lab,
    instance: 'default',
    mode: 'vagrant',
    hypervisor: 'libvirt',
    managementPrefix: '192.168.121.0/24',
    steps: [],
    projectDir: dir,
    vms: { count: 1, cpus: 1, memoryMb: 512 },
  });
}

describe('lab templates: parameters are data', () => {
  const PARAMS = 'params: { msg: { default: hello } }\n';
  const payload = `{{ range.constructor("${JS}")() }}`;
  const commandOf = (run: string, sets: string[]) => {
    const file = labFileWith(run, PARAMS);
    expect(issuesOf(file, sets).filter((i) => i.severity === 'error')).toEqual([]);
    const { lab } = resolveLab(loadLab(file, sets));
    const [command] = commandsOf(lab.checks[0], lab);
    expect(planOf(lab)).toContain(command);
    return command;
  };

  it.each([
    ['a command without a template', 'echo ${msg}', payload, `echo ${payload}`],
    ['a command with a template', 'echo ${msg} {{ groups.worker | length }}', payload, `echo ${payload} 2`],
    [
      'a tag',
      'echo ${msg}',
      '{% for x in groups.worker %}{{ x }}{% endfor %}',
      'echo {% for x in groups.worker %}{{ x }}{% endfor %}',
    ],
    ['half a tag the command completes', 'echo {${msg}', '{ groups.worker }}', 'echo {{ groups.worker }}'],
    ['a comment', 'echo ${msg} {{ 1 }}', '{# a #} "q" \\ \t', 'echo {# a #} "q" \\ \t 1'],
    [
      'a value inside a tag',
      'echo {{ ${msg} }}',
      'range.constructor("x")()',
      'echo range.constructor("x")()',
    ],
    [
      'a value inside a quoted string',
      "echo {{ 'a${msg}b' }}",
      `' ~ range.constructor("x")() ~ '`,
      `echo a' ~ range.constructor("x")() ~ 'b`,
    ],
  ])(
    '%s: a --set value holding template syntax ends up literally in the command',
    (_, run, value, expected) => {
      expect(commandOf(run, [`msg=${value}`])).toBe(expected);
      expect(existsSync(CANARY)).toBe(false);
    },
  );

  it('a number parameter inside a tag is still a number', () => {
    const file = labFileWith('echo {{ ${n} * 2 }}', 'params: { n: { default: 3 } }\n');
    const { lab } = resolveLab(loadLab(file, ['n=21']));
    expect(commandsOf(lab.checks[0], lab)).toEqual(['echo 42']);
  });
});

describe('lab templates: the shipped labs', () => {
  it.each(LAB_NAMES)('%s: every command renders as nunjucks rendered it', (name) => {
    const { lab } = resolveLab(loadLab(labFile(name)));
    for (const c of lab.checks.filter((x) => x.run.includes('{{')))
      expect(renderCheckCommand(c.run, lab)).toBe(renderString(c.run, checkCommandContext(lab)));
  });

  it('the filters and constructs lab authors use', () => {
    const data = asTemplateData({ groups: { w: ['b', 'a'] }, n: { x: 3 } });
    const roots = ['groups', 'n'];
    const render = (s: string) => {
      const { template, problems } = checkLabTemplate(s, roots);
      expect(problems).toEqual([]);
      return renderLabTemplate(template!, data);
    };
    expect(
      render('{{ groups.w | join(",") }} {{ groups.w | sort | first }} {{ groups.w | length * 2 }}'),
    ).toBe('b,a a 4');
    expect(render('{{ "7" | int + 1 }} {{ 7 // 2 }} {{ 7 % 4 }} {{ 2 ** 3 }} {{ -n.x }}')).toBe('8 3 3 8 -3');
    expect(
      render('{% if n.x > 2 and "a" in groups.w %}yes{% else %}no{% endif %} {{ "a" if n.x == 3 else "b" }}'),
    ).toBe('yes a');
    expect(
      render(
        '{% for k, v in n %}{{ k }}={{ v }}{% endfor %} {% for w in groups.w %}{{ loop.index }}{{ w | upper }}{% endfor %}',
      ),
    ).toBe('x=3 1B2A');
    expect(() => render('{{ n.y }}')).toThrow(/undefined/);
  });
});

describe('lab templates: the commands a user runs', () => {
  const lab = (...args: string[]) =>
    spawnSync('node', [LAB_BIN, ...args], {
      encoding: 'utf8',
      env: { ...process.env, LAB_STATE_DIR: join(dir, 'state'), LAB_INSTANCE: 'da-template' },
    });

  it.each([
    ['lint'],
    ['up'],
    ['up', '--provider', 'vagrant', '--plan'],
    ['render', '-o', 'OUT'],
    ['render', '--provider', 'vagrant', '-o', 'OUT'],
    ['steps'],
  ])(
    'lab %s refuses a hostile command template (exit 2, template-unsafe) and runs nothing',
    (cmd, ...rest) => {
      const file = labFileWith(`x {{ range.constructor("${JS}")() }}`);
      const out = join(dir, `out-${n}`);
      const r = lab(cmd, file, ...rest.map((a) => (a === 'OUT' ? out : a)));
      expect(r.status, r.stdout + r.stderr).toBe(2);
      expect(r.stdout + r.stderr).toContain('[template-unsafe]');
      expect(existsSync(CANARY)).toBe(false);
      expect(existsSync(out)).toBe(false);
    },
  );

  it('lab up --plan prints a --set value holding a template as written, and runs nothing', () => {
    // bgp-metallb beside its step scripts, with a check that echoes a parameter
    const copy = join(dir, 'bgp-metallb');
    cpSync(dirname(labFile('bgp-metallb')), copy, { recursive: true });
    const text = readFileSync(labFile('bgp-metallb'), 'utf8')
      .replace('params:\n', 'params:\n  msg: { default: hi }\n')
      .replace(
        'checks:\n',
        'checks:\n  - { name: echo-msg, node: client, run: "echo ${msg}", expect: { match: x } }\n',
      );
    writeFileSync(join(copy, 'lab.yaml'), text);
    const payload = `{{ range.constructor("${JS}")() }}`;
    const r = lab('up', join(copy, 'lab.yaml'), '--provider', 'vagrant', '--plan', '--set', `msg=${payload}`);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain(`client$ echo ${payload}   # echo-msg`);
    expect(existsSync(CANARY)).toBe(false);
  });
});
