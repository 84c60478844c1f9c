// The shape of src/: folders import each other in one direction only, and the engine and the model
// know no provider's insides; no circle at all, type-only imports included (the seams, below).
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cycles, fileImports, folderEdges } from '../helpers/import-graph.js';

const SRC = 'src';

describe('import graph', () => {
  it('has no circle between folders', () => {
    const runtime = folderEdges(SRC).filter((e) => e.runtime);
    expect(runtime.length).toBeGreaterThan(10);
    expect(cycles(runtime)).toEqual([]);
  });

  it('has no circle between files', () => {
    const runtime = fileImports(SRC).filter((i) => i.runtime);
    expect(cycles(runtime)).toEqual([]);
  });

  it('finds a circle when there is one', () => {
    expect(
      cycles([
        { from: 'a', to: 'b' },
        { from: 'b', to: 'c' },
        { from: 'c', to: 'a' },
        { from: 'c', to: 'd' },
      ]),
    ).toEqual([['a', 'b', 'c']]);
  });

  it.each(['engine/', 'model/', 'core/', 'addons/', 'roles/', 'lint/'])(
    "%s imports nothing from any provider's folder (providers/<name>/), not even types",
    (folder) => {
      const inside = fileImports(SRC).filter(
        (i) => i.from.startsWith(folder) && /^providers\/[^/]+\//.test(i.to),
      );
      expect(inside).toEqual([]);
    },
  );
});

describe('the plug-in seams', () => {
  /** What contracts/ may read: the lab's types and what sits below them. */
  const BELOW_CONTRACTS =
    /^(contracts|core|daemons|host|transport|net)\/|^(errors|names|paths|shell-quote)\.ts$/;

  it('contracts/ imports nothing above it, type-only imports included', () => {
    const up = fileImports(SRC).filter((i) => i.from.startsWith('contracts/') && !BELOW_CONTRACTS.test(i.to));
    expect(up).toEqual([]);
  });

  it("cli/ reaches a provider only through providers/index.ts, never into a provider's folder", () => {
    const into = fileImports(SRC).filter(
      (i) => i.from.startsWith('cli/') && /^providers\/[^/]+\//.test(i.to),
    );
    expect(into).toEqual([]);
  });

  it('cli/ and the engine ask a provider what it can do, never its name', () => {
    // a provider's name in a comparison ('vagrant-host', 'netns') is a branch a new provider misses
    const names = ['netns', 'vagrant', 'vagrant-host'];
    const branches = ['cli', 'engine'].flatMap((dir) =>
      readdirSync(join(SRC, dir), { recursive: true, encoding: 'utf8' })
        .filter((f) => f.endsWith('.ts'))
        .flatMap((f) => {
          const text = readFileSync(join(SRC, dir, f), 'utf8');
          return names
            .filter((n) => new RegExp(`[!=]==\\s*'${n}'|'${n}'\\s*[!=]==`).test(text))
            .map((n) => `${dir}/${f}: '${n}'`);
        }),
    );
    expect(branches).toEqual([]);
  });

  it('no circle between folders or between files, type-only imports included', () => {
    // core reads the daemons (BIRD's protocol names, community syntax, the daemons a check may ask);
    // the daemons state what they read of a node and a filter themselves, taking nothing from core
    expect(cycles(folderEdges(SRC))).toEqual([]);
    expect(cycles(fileImports(SRC))).toEqual([]);
  });

  it('core/ names no add-on and no provider: they give their parts (schema, settings) from above', async () => {
    const { ADDONS } = await import('../../src/addons/index.js');
    const { PROVIDER_NAMES } = await import('../../src/providers/index.js');
    const names = [...ADDONS.map((a) => a.key), ...PROVIDER_NAMES];
    expect(names).toContain('metallb');
    expect(names).toContain('netns');
    const core = readdirSync(join(SRC, 'core')).filter((f) => f.endsWith('.ts'));
    const named = core.flatMap((f) => {
      const text = readFileSync(join(SRC, 'core', f), 'utf8');
      return names.filter((n) => text.includes(`'${n}'`)).map((n) => `core/${f}: '${n}'`);
    });
    expect(named).toEqual([]);
  });

  it("src/README.md's extension points name registries that exist and hold every folder", () => {
    const readme = readFileSync(join(SRC, 'README.md'), 'utf8');
    const table = /## Extension points[^\n]*\n\n((?:\|[^\n]*\n)+)/.exec(readme)?.[1] ?? '';
    const rows = table.split('\n').filter((l) => l.startsWith('| ') && !l.startsWith('| to add'));
    expect(rows.length, 'one table, its rows together').toBeGreaterThanOrEqual(7);
    for (const row of rows) {
      const registers = row.split('|')[3] ?? '';
      const named = [...registers.matchAll(/`([A-Z_]+)` (?:in )?\(?`([\w/.-]+\.ts)`/g)];
      expect(named.length, row).toBeGreaterThan(0);
      for (const [, name, file] of named)
        expect(readFileSync(join(SRC, file), 'utf8'), `${name} in ${file}`).toMatch(
          new RegExp(`\\b(const|let) ${name}\\b`),
        );
    }
    const folders = (dir: string) =>
      readdirSync(join(SRC, dir), { withFileTypes: true })
        .filter((d) => d.isDirectory())
        .map((d) => d.name);
    const addons = readFileSync(join(SRC, 'addons', 'index.ts'), 'utf8');
    for (const a of folders('addons'))
      expect(addons, `addons/${a}/ in ADDONS`).toContain(`'./${a}/index.js'`);
    const providers = readFileSync(join(SRC, 'providers', 'index.ts'), 'utf8');
    for (const p of folders('providers'))
      expect(providers, `providers/${p}/ in PROVIDERS`).toContain(`'./${p}/index.js'`);
  });
});
