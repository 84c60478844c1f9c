// npm run soak stopped by SIGTERM or Ctrl-C (SIGINT): its running lab commands get the signal and
// remove what they made, what it left up is brought down, its /tmp/lab-soak-* folder goes, exit 130.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import { PROJECT_DIR } from '../../src/paths.js';
import { labMounts, namespacesOf } from '../helpers/host.js';
import { isRoot } from '../helpers/labs.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.skipIf(!isRoot)('the soak, interrupted', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'lab-soak-int-'));
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  /** The soak's instances' folders, once its state folder exists. */
  const instances = () => {
    const soak = readdirSync(tmp).find((d) => d.startsWith('lab-soak-'));
    // its state folder: the soak's folder's state/ (before, the soak's folder itself)
    const labDir = [
      join(tmp, soak ?? '-', 'state', 'bgp-metallb'),
      join(tmp, soak ?? '-', 'bgp-metallb'),
    ].find((d) => soak && existsSync(d));
    return labDir ? readdirSync(labDir).map((i) => join(labDir, i)) : [];
  };
  const isUp = (dir: string) => {
    try {
      return JSON.parse(readFileSync(join(dir, 'instance.json'), 'utf8')).status === 'up';
    } catch {
      return false;
    }
  };

  it.each([
    ['SIGTERM', 'while its first lab up runs', (dirs: string[]) => dirs.length > 0],
    ['SIGINT', 'once its first instance is up', (dirs: string[]) => dirs.some(isUp)],
  ] as const)(
    '%s %s: exit 130, nothing left',
    async (signal, _when, ready) => {
      const soak = execa('node', [join(PROJECT_DIR, 'dist', 'soak', 'main.js')], {
        env: { SOAK_SHORT: '1', TMPDIR: tmp },
        reject: false,
        all: true,
        timeout: 120_000,
      });
      const tag = `lab.bgp-metallb.s${soak.pid! % 10000}n`;
      const until = Date.now() + 60_000;
      while (!ready(instances()) && Date.now() < until) await sleep(10);
      expect(ready(instances()), 'the soak started no instance').toBe(true);
      if (signal === 'SIGTERM') await sleep(300);
      const sent = Date.now();
      soak.kill(signal);
      const r = await soak;
      // it died at once, leaving its lab up (or half made) and its folder in /tmp
      expect(r.exitCode, r.all).toBe(130);
      expect(r.stdout).toMatch(
        new RegExp(`soak: interrupted \\(${signal}\\): \\d+ instances removed, nothing left`),
      );
      expect(Date.now() - sent).toBeLessThan(60_000);
      expect(readdirSync(tmp).filter((d) => d.startsWith('lab-soak-'))).toEqual([]);
      expect(namespacesOf(tag)).toEqual([]);
      expect(labMounts().filter((m) => m.includes(tmp))).toEqual([]);
    },
    150_000,
  );
});
