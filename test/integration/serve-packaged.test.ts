// lab serve from what npm pack ships (package.json "files"), as root: no src/ in the package, and the
// pages' and the browser terminal's files (xterm.js and its fit add-on, our terminal.js, the pages'
// script and style) served from it, byte for byte as their sources; the dependencies come from the
// checkout's node_modules, as an install would put them beside the package.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_DIR } from '../../src/paths.js';
import { leftovers } from '../helpers/host.js';
import { isRoot } from '../helpers/labs.js';

const prefix = `sp${process.pid % 10000}`;

describe.skipIf(!isRoot)('lab serve from the packaged build', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'lab-packaged-'));
  const pkg = join(tmp, 'package');
  const bin = join(pkg, 'dist', 'cli', 'main.js');
  const env = { ...process.env, LAB_STATE_DIR: join(tmp, 'state'), LAB_LOCK_DIR: join(tmp, 'locks') };
  let packed: string[] = [];
  let server: ChildProcess | undefined;
  let url = '';

  beforeAll(async () => {
    // --ignore-scripts: pack's prepare would rebuild dist/ under the test files running beside this one
    const pack = await execa('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', tmp], {
      cwd: PROJECT_DIR,
    });
    const [info] = JSON.parse(pack.stdout) as { filename: string; files: { path: string }[] }[];
    packed = info.files.map((f) => f.path);
    await execa('tar', ['-xzf', join(tmp, info.filename), '-C', tmp]);
    symlinkSync(join(PROJECT_DIR, 'node_modules'), join(pkg, 'node_modules'));
    url = await new Promise<string>((resolve, reject) => {
      server = spawn(
        'node',
        [
          bin,
          'serve',
          'bgp-metallb',
          '--instances',
          '1',
          '--prefix',
          prefix,
          '--port',
          '0',
          '--ssh-port',
          '0',
        ],
        { env, stdio: ['ignore', 'pipe', 'pipe'] },
      );
      let out = '';
      let err = '';
      server.stdout!.on('data', (d) => {
        out += d;
        const m = /^\s+\S+\s+(http:\/\/\S+\/a\/[0-9a-f]{32}\/)/m.exec(out);
        if (m) resolve(m[1]);
      });
      server.stderr!.on('data', (d) => {
        err += d;
      });
      server.on('exit', (code) => reject(new Error(`lab serve exited ${code}: ${err}${out}`)));
    });
  }, 180_000);

  afterAll(async () => {
    if (server && server.exitCode === null) {
      const exited = new Promise((r) => server!.once('exit', r));
      server.kill('SIGTERM');
      await exited;
    }
    await execa('node', [bin, 'down', 'bgp-metallb', '--instances', '1', '--prefix', prefix], {
      env,
      reject: false,
    });
    rmSync(tmp, { recursive: true, force: true });
  }, 120_000);

  it('ships the build, the labs and the templates, and no src/', () => {
    expect(packed.filter((p) => p.startsWith('src/'))).toEqual([]);
    for (const file of [
      'dist/cli/main.js',
      'dist/steps/step-worker.js',
      'dist/serve/assets/workshop.js',
      'dist/serve/terminal/browser/terminal.js',
      'labs/bgp-metallb/lab.yaml',
    ])
      expect(packed, file).toContain(file);
    expect(existsSync(join(pkg, 'src'))).toBe(false);
  });

  it("serves the page, the terminal's files and the pages' own, byte for byte as their sources", async () => {
    const page = await fetch(url);
    expect(page.status).toBe(200);
    const html = await page.text();
    const origin = new URL(url).origin;
    const modules = join(PROJECT_DIR, 'node_modules');
    const sources: Record<string, string> = {
      '/terminal/xterm.js': join(modules, '@xterm', 'xterm', 'lib', 'xterm.js'),
      '/terminal/xterm.css': join(modules, '@xterm', 'xterm', 'css', 'xterm.css'),
      '/terminal/addon-fit.js': join(modules, '@xterm', 'addon-fit', 'lib', 'addon-fit.js'),
      '/terminal/terminal.js': join(PROJECT_DIR, 'src', 'serve', 'terminal', 'browser', 'terminal.js'),
      '/assets/workshop.js': join(PROJECT_DIR, 'src', 'serve', 'assets', 'workshop.js'),
      '/assets/workshop.css': join(PROJECT_DIR, 'src', 'serve', 'assets', 'workshop.css'),
    };
    for (const [path, source] of Object.entries(sources)) {
      expect(html, `the page loads ${path}`).toContain(`"${path}"`);
      const r = await fetch(`${origin}${path}`);
      expect(r.status, path).toBe(200);
      expect(Buffer.from(await r.arrayBuffer()).equals(readFileSync(source)), path).toBe(true);
    }
  });

  it('leaves nothing once down', async () => {
    const exited = new Promise((r) => server!.once('exit', r));
    server!.kill('SIGTERM');
    await exited;
    const down = await execa('node', [bin, 'down', 'bgp-metallb', '--instances', '1', '--prefix', prefix], {
      env,
      reject: false,
      all: true,
    });
    expect(down.exitCode, down.all).toBe(0);
    expect(leftovers(`lab.bgp-metallb.${prefix}-1.`)).toEqual({ namespaces: [], links: [], mounts: [] });
  }, 120_000);
});
