// A daemon's folders under /run (BIRD's /run/bird, nginx's temp folder): the start script makes those
// missing behind a shell test, and the netns provider makes them with the node's /run, owned by the
// node's root, so that no mkdir process runs per daemon and node.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { bird } from '../../src/daemons/bird.js';
import { nginx } from '../../src/daemons/nginx.js';
import { runDirsOf, startScript } from '../../src/engine/start-roles.js';
import { writeNodeRoles } from '../../src/providers/netns/node-files.js';

describe('folders under /run a daemon needs', () => {
  const dir = mkdtempSync(join(tmpdir(), 'lab-rundirs-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('are made by the start script where missing, and not where they are', () => {
    const script = startScript([bird.start!, nginx.start!]);
    const run = join(dir, 'run');
    mkdirSync(join(run, 'bird'), { recursive: true });
    // the script's lines up to each daemon's command, with the daemons left out: what runs first
    const before = script
      .replaceAll('/run/', `${run}/`)
      .replace(/ && bird [^)]*\)/, ' )')
      .replace(/ && nginx [^)]*\)/, ' )')
      .split('\n')
      .filter((l) => !l.startsWith('i=0'))
      .join('\n');
    const traced = spawnSync('sh', ['-xc', before], { encoding: 'utf8' });
    expect(traced.stdout).toContain('>> nginx');
    // the trace: the test for each, a mkdir for the missing one only
    expect(traced.stderr).toMatch(/mkdir -p \S*\/run\/nginx-tmp/);
    expect(traced.stderr).not.toMatch(/mkdir -p \S*\/run\/bird/);
    expect(statSync(join(run, 'nginx-tmp')).isDirectory()).toBe(true);
    expect(script).toMatch(/\{ \[ -d '\/run\/bird' \] \|\| mkdir -p '\/run\/bird'; \} && bird /);
  });

  it('are listed once each, whichever commands need them', () => {
    expect(runDirsOf([bird.start!, nginx.start!, bird.start!, { name: 'x', run: 'true' }])).toEqual([
      '/run/bird',
      '/run/nginx-tmp',
    ]);
  });

  it.skipIf(process.getuid?.() !== 0)(
    "are made by the netns provider in the node's /run, owned by its root; a path outside /run is left to the script",
    async () => {
      const node = join(dir, 'node');
      const dirs = Object.fromEntries(
        ['etc', 'work', 'log', 'run', 'root', 'varUpper', 'varWork'].map((d) => [d, join(node, d)]),
      ) as Parameters<typeof writeNodeRoles>[0]['dirs'];
      for (const d of Object.values(dirs)) mkdirSync(d, { recursive: true });
      await writeNodeRoles({
        node: { name: 'n1' } as never,
        dirs,
        files: [],
        startScript: '',
        idBase: 1_234_000,
        runDirs: ['/run/bird', '/run/a/b', '/var/lib/x', '/run/../etc'],
      });
      for (const made of ['bird', 'a', 'a/b']) {
        const st = statSync(join(dirs.run, made));
        expect([st.isDirectory(), st.uid, st.gid, st.mode & 0o777], made).toEqual([
          true,
          1_234_000,
          1_234_000,
          0o755,
        ]);
      }
      // outside /run: neither made nor given to the node's root
      expect(statSync(dirs.etc).uid).toBe(0);
      expect(() => statSync(join(dirs.run, 'var'))).toThrow();
    },
  );
});
