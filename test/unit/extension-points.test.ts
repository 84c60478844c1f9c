// A fifth add-on, a sixth daemon and a third provider are each one folder (or file) and one registry
// line, and a CLI command one file and its block in cli/main.ts, as src/README.md's table "What a new
// plug-in touches" says: in a copy of src/, this test writes a throwaway one of each where the table
// says, registers each in the one file the table names, and changes nothing else; the copy type-checks,
// and the model, lint, render, preflight, the VM steps, the provider registry and the lab file's schema
// see them.
import { execFileSync } from 'node:child_process';
import {
  cpSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = resolve('.');

/** The table's rows: what is added, where its folder goes, the one registry file. */
function touchTable(): { what: string; folder: string; registry: string; unless: string }[] {
  const readme = readFileSync(join(ROOT, 'src', 'README.md'), 'utf8');
  const table =
    /## What a new plug-in touches[^\n]*\n(?:[^|\n][^\n]*\n|\n)*((?:\|[^\n]*\n)+)/.exec(readme)?.[1] ?? '';
  return table
    .split('\n')
    .filter((l) => l.startsWith('| ') && !l.startsWith('| a new'))
    .map((l) => {
      const [, what, folder, registry, unless] = l.split('|').map((c) => c.trim());
      const code = (cell: string) => [...cell.matchAll(/`([^`]+)`/g)].map((m) => m[1]);
      expect(code(registry), `${what}: one registry file`).toHaveLength(1);
      return { what, folder: code(folder)[0], registry: code(registry)[0], unless };
    });
}

const TOY_DAEMON = `// A throwaway daemon (test/unit/extension-points.test.ts), with its own check of its file, unrun.
import type { Daemon } from './daemon.js';

export const toyd: Daemon = {
  name: 'toyd',
  package: 'toyd-package',
  commands: ['toyd'],
  start: { name: 'toyd', run: 'toyd -c /etc/toy/toy.conf', pidfile: '/run/toyd.pid' },
  // what toyd -t would say: its file starts with 'toy of'
  validator: { tool: 'toyd -t', command: ({ path }) => ['grep', '-q', '^toy of ', path] },
};
`;

const TOY_ADDON = `// A throwaway add-on (test/unit/extension-points.test.ts): its schema, lint, role and VM step.
import { z } from 'zod';
import type { Addon } from '../../contracts/addon.js';
import { issue } from '../../core/issue.js';
import { DAEMONS } from '../../daemons/index.js';

const toySchema = z.object({ version: z.string() }).strict();

export const toy: Addon<'toy', typeof toySchema> = {
  key: 'toy',
  schema: toySchema,
  lint: (lab) =>
    lab.clusters.flatMap((c) =>
      c.addons.toy?.version === 'broken'
        ? [issue('toy-broken', [...c.path, 'addons', 'toy'], 'the toy is broken', 'mend it')]
        : [],
    ),
  codes: { traps: ['toy-broken'] },
  roles: [
    {
      name: 'toy-agent',
      description: 'the toy add-on on its node',
      render: (lab, node) => [
        { node: node.name, path: '/etc/toy/toy.conf', content: \`toy of \${lab.name} on \${node.name}\\n\`, validator: 'toyd' },
        // a manifest of its own kind: the kinds are the add-ons' to name
        { node: node.name, path: '/etc/lab/manifests/toy.yaml', content: 'kind: Toy\\n', manifest: 'toy' },
      ],
      start: () => [DAEMONS.toyd.start],
      needs: () => ({ daemons: ['toyd'] }),
      vm: {},
    },
  ],
  vm: {
    cluster: (_lab, cluster) => [
      { phase: 'addons', node: cluster.controlPlane!, title: 'toy', script: '#!/usr/bin/env bash\\n', timeoutS: 60 },
    ],
  },
};
`;

const TOY_PROVIDER = `// A throwaway provider (test/unit/extension-points.test.ts), with a kind of journal resource of its own.
import type { Provider } from '../../contracts/provider.js';

declare module '../../contracts/provider.js' {
  interface ResourceKinds {
    'toy-box': { path: string };
  }
}

export const toyProvider: Provider = {
  name: 'toy',
  verifyHost: async () => {},
  allocateManagement: (lab) => ({ prefix: lab.managementPrefix ?? '10.255.0.0/24', link: 'toy0' }),
  createNetwork: async (ctx) => {
    ctx.journal.record({ kind: 'toy-box', id: 'toy-box:1', path: '/nowhere' });
    return { addresses: [] };
  },
  bootNode: async () => {
    throw new Error('a toy boots nothing');
  },
  destroy: async (resources) => {
    for (const r of resources) if (r.kind === 'toy-box' && r.path !== '/nowhere') throw new Error(r.path);
  },
  findOrphans: async () => [],
  removeOrphans: async () => {},
};
`;

const TOY_COMMAND = `// A throwaway command (test/unit/extension-points.test.ts): what lab toy LAB prints.
import { openLab } from '../../model/open.js';
import { labFileOf } from '../../paths.js';

export async function toy(ref: string, opts: { json?: boolean }): Promise<void> {
  const { lab } = openLab(labFileOf(ref), []);
  console.log(opts.json ? JSON.stringify({ lab: lab.name }) : \`a toy of \${lab.name}\`);
}
`;

/** The command's block in cli/main.ts: its name, flags and the lazy import of its file. */
const TOY_COMMAND_BLOCK = `program
  .command('toy <lab>')
  .description('a throwaway command')
  .option('--json', 'print JSON')
  .action((lab, opts) => run(async () => (await import('./commands/toy.js')).toy(lab, opts), opts.json));
`;

const LAB = `name: toy-lab
description: a lab of the throwaway add-on
networks:
  nodes: { prefix: 10.0.0.0/24 }
clusters:
  k8s:
    kind: kubernetes
    members: [cp]
    control_plane: cp
    addons: { toy: { version: 'VERSION' } }
nodes:
  cp: { roles: [k8s-control-plane, toy-agent], interfaces: [{ network: nodes, address: 10.0.0.10 }] }
`;

/** Adds `import { name } from './spec'` after the registry file's last import, and `name` to its list. */
function register(file: string, name: string, spec: string, entry: (text: string) => string): void {
  const text = readFileSync(file, 'utf8');
  const lines = text.split('\n');
  let last = lines.findLastIndex((l) => l.startsWith('import '));
  while (!lines[last].trimEnd().endsWith(';')) last++;
  lines.splice(last + 1, 0, `import { ${name} } from '${spec}';`);
  const changed = entry(lines.join('\n'));
  expect(changed, `${file}: its list found`).not.toBe(lines.join('\n'));
  writeFileSync(file, changed);
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile())
    .map((e) => relative(dir, join(e.parentPath, e.name)));
}

describe('what a new plug-in touches (src/README.md)', () => {
  let copy: string;
  const rows = touchTable();
  const row = (what: string) => {
    const r = rows.find((x) => x.what === what);
    expect(r, `a row for ${what}`).toBeDefined();
    return r!;
  };

  beforeAll(() => {
    copy = mkdtempSync(join(tmpdir(), 'lab-extension-'));
    cpSync(join(ROOT, 'src'), join(copy, 'src'), { recursive: true });
    for (const f of ['package.json', 'tsconfig.json']) cpSync(join(ROOT, f), join(copy, f));
    symlinkSync(join(ROOT, 'node_modules'), join(copy, 'node_modules'));
    symlinkSync(join(ROOT, 'templates'), join(copy, 'templates'));
    mkdirSync(join(copy, 'labs'));

    const daemon = row('daemon');
    const addon = row('add-on');
    const provider = row('provider');
    const command = row('CLI command');
    // each where its row says: daemons/<daemon>.ts, addons/<addon>/, providers/<provider>/, cli/commands/<command>.ts
    const place = (pattern: string, name: string) => join(copy, 'src', pattern.replace(/<[a-z-]+>/, name));
    writeFileSync(place(daemon.folder, 'toyd'), TOY_DAEMON);
    mkdirSync(place(addon.folder, 'toy'));
    writeFileSync(join(place(addon.folder, 'toy'), 'index.ts'), TOY_ADDON);
    mkdirSync(place(provider.folder, 'toy'));
    writeFileSync(join(place(provider.folder, 'toy'), 'index.ts'), TOY_PROVIDER);
    writeFileSync(place(command.folder, 'toy'), TOY_COMMAND);

    register(join(copy, 'src', daemon.registry), 'toyd', './toyd.js', (t) =>
      t.replace(/export const DAEMONS = \{ /, 'export const DAEMONS = { toyd, '),
    );
    register(join(copy, 'src', addon.registry), 'toy', './toy/index.js', (t) =>
      t.replace(/export const ADDONS = \[([^\]]*)\]/, 'export const ADDONS = [$1, toy]'),
    );
    // last: the first a lab file may name is the default, which a new provider does not change
    register(join(copy, 'src', provider.registry), 'toyProvider', './toy/index.js', (t) =>
      t.replace(
        /(const PROVIDERS: [^\n]*= \{\n(?:[^\n]*\n)*?)\};/,
        '$1  toy: { inLabFile: true, load: async () => toyProvider },\n};',
      ),
    );
    // a command's block goes before the first one's
    const main = join(copy, 'src', command.registry);
    const text = readFileSync(main, 'utf8');
    expect(text, 'a command block starts with a line `program`').toMatch(/\nprogram\n {2}\.command\(/);
    writeFileSync(main, text.replace(/\nprogram\n {2}\.command\(/, `\n${TOY_COMMAND_BLOCK}$&`));
  });

  afterAll(() => {
    if (copy) rmSync(copy, { recursive: true, force: true });
  });

  it('names one folder and one registry file per plug-in, and the registries live there', () => {
    expect(rows.map((r) => r.what).sort()).toEqual(['CLI command', 'add-on', 'daemon', 'provider']);
    const registries: Record<string, string> = {
      daemon: 'DAEMONS',
      'add-on': 'ADDONS',
      provider: 'PROVIDERS',
      'CLI command': 'program',
    };
    for (const r of rows)
      expect(readFileSync(join(ROOT, 'src', r.registry), 'utf8'), r.what).toMatch(
        new RegExp(`\\bconst ${registries[r.what]}\\b`),
      );
  });

  it('changes only the new folders and the registry files', () => {
    const original = new Set(filesUnder(join(ROOT, 'src')));
    const touched = filesUnder(join(copy, 'src')).filter(
      (f) =>
        !original.has(f) ||
        readFileSync(join(copy, 'src', f), 'utf8') !== readFileSync(join(ROOT, 'src', f), 'utf8'),
    );
    expect(touched.sort()).toEqual(
      [
        'addons/toy/index.ts',
        'daemons/toyd.ts',
        'providers/toy/index.ts',
        'cli/commands/toy.ts',
        ...rows.map((r) => r.registry),
      ].sort(),
    );
  });

  it('type-checks with them', () => {
    // tsc's own exit code: a union a plug-in must be added to by hand fails here
    execFileSync(join(ROOT, 'node_modules', '.bin', 'tsc'), ['--noEmit', '-p', join(copy, 'tsconfig.json')], {
      stdio: 'pipe',
    });
  }, 240_000);

  it('the model, lint, --allow, render, preflight and the VM steps see the add-on and the daemon', async () => {
    const load = async <T>(file: string): Promise<T> => import(pathToFileURL(join(copy, 'src', file)).href);
    const { inspectLab } = await load<typeof import('../../src/model/open.js')>('model/open.ts');
    const { renderLab } = await load<typeof import('../../src/render/render-lab.js')>('render/render-lab.ts');
    const { toolsOf } = await load<typeof import('../../src/providers/netns/preflight.js')>(
      'providers/netns/preflight.ts',
    );
    const { stepsOf } = await load<typeof import('../../src/providers/vagrant/steps/index.js')>(
      'providers/vagrant/steps/index.ts',
    );
    const { unrealizedOnVms } = await load<typeof import('../../src/providers/vagrant/realizable.js')>(
      'providers/vagrant/realizable.ts',
    );
    const write = (version: string) => {
      const file = join(copy, 'labs', `toy-${version}.yaml`);
      writeFileSync(file, LAB.replace('VERSION', version));
      return file;
    };
    const good = inspectLab(write('1.0'));
    expect(good.issues.filter((i) => i.severity === 'error')).toEqual([]);
    expect(good.lab.clusters[0].addons).toMatchObject({ toy: { version: '1.0' } });
    expect(inspectLab(write('broken')).issues.map((i) => i.code)).toContain('toy-broken');
    const { parseAllow } = await load<typeof import('../../src/lint/allow.js')>('lint/allow.ts');
    expect(parseAllow(['toy-broken'])).toEqual(['toy-broken']);
    const files = renderLab(good.lab);
    expect(files.find((f) => f.path === '/etc/toy/toy.conf')?.content).toBe('toy of toy-lab on cp\n');
    expect(toolsOf(good.lab)).toContainEqual({ command: 'toyd', package: 'toyd-package' });
    expect(unrealizedOnVms(good.lab)).toEqual([]);
    expect(stepsOf(good.lab, files).filter((s) => s.title === 'toy')).toHaveLength(1);
  });

  it("the host runs the daemon's own validator, host/validate.ts unchanged", async () => {
    const { validateFiles } = await import(pathToFileURL(join(copy, 'src', 'host', 'validate.ts')).href);
    const conf = { node: 'cp', path: '/etc/toy/toy.conf', validator: 'toyd' };
    const [good, broken] = await validateFiles([
      { ...conf, content: 'toy of toy-lab on cp\n' },
      { ...conf, content: 'no toy\n' },
    ]);
    expect(good).toMatchObject({ tool: 'toyd -t', ok: true });
    expect(broken).toMatchObject({ tool: 'toyd -t', ok: false });
  });

  it('the provider registry knows the provider, and a lab file may name it', async () => {
    const { providerOf, PROVIDER_NAMES } = await import(
      pathToFileURL(join(copy, 'src', 'providers', 'index.ts')).href
    );
    expect(PROVIDER_NAMES).toContain('toy');
    expect((await providerOf('toy')).name).toBe('toy');
    // the lab file's schema takes the names from the registry line, model/lab-schema.ts unchanged
    const { inspectLab } = await import(pathToFileURL(join(copy, 'src', 'model', 'open.ts')).href);
    const lab = (provider: string) => {
      const file = join(copy, 'labs', `provider-${provider || 'none'}.yaml`);
      const name = provider ? `provider: ${provider}\n` : '';
      writeFileSync(file, LAB.replace('VERSION', '1.0').replace(/^(name: .*\n)/, `$1${name}`));
      return inspectLab(file);
    };
    const toy = lab('toy');
    expect(toy.issues.filter((i: { severity: string }) => i.severity === 'error')).toEqual([]);
    expect(toy.lab.provider).toBe('toy');
    expect(lab('').lab.provider, 'the default stays the first').toBe('netns');
    expect(() => lab('vagrant-host'), 'chosen on the command line only').toThrow(/provider/);
  });
});
