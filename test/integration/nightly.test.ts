// lab nightly for real, as root: a deliberately broken lab and bgp-metallb, one cycle each. The three
// reports agree on the failure, the triage bundle holds the daemons' view, nothing is left behind,
// and the HTML report is read in a real headless Chromium.
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadLab } from '../../src/model/load.js';
import { resolveLab } from '../../src/model/resolve.js';
import { instanceTag } from '../../src/providers/netns/names.js';
import type { NightlyResults } from '../../src/report/results.js';
import { CHROMIUM, CHROMIUM_FLAGS } from '../helpers/browser.js';
import { labCli } from '../helpers/cli.js';
import { namespacesOf, rootLinks } from '../helpers/host.js';
import { validateJUnit } from '../helpers/junit.js';
import { isRoot, labFile } from '../helpers/labs.js';

const instance = `ng${process.pid % 100000}`;

/** bgp-metallb as shipped (whatever its format becomes), under another name, with `edit` applied. */
function variantOf(dir: string, name: string, edit: (yaml: string) => string): string {
  const yaml = readFileSync(labFile('bgp-metallb'), 'utf8').replace(/^name: bgp-metallb$/m, `name: ${name}`);
  mkdirSync(join(dir, name));
  writeFileSync(join(dir, name, 'lab.yaml'), edit(yaml));
  // its step scripts travel with it
  const steps = join(dirname(labFile('bgp-metallb')), 'steps');
  if (existsSync(steps)) cpSync(steps, join(dir, name, 'steps'), { recursive: true });
  return join(dir, name, 'lab.yaml');
}

/** How many checks bgp-metallb as shipped has. */
const SHIPPED_CHECKS = resolveLab(loadLab(labFile('bgp-metallb'))).lab.checks.length;

describe.skipIf(!isRoot)('lab nightly on netns', () => {
  // the lab files and reports beside the state folder, not in it: lab refuses a state folder holding
  // files it did not write
  const work = mkdtempSync(join(tmpdir(), 'lab-nightly-'));
  const state = join(work, 'state');
  mkdirSync(state);
  // broken on purpose: a check on a route no service announces, under a one-second wait
  const BROKEN = variantOf(work, 'nightly-broken', (y) =>
    y.replace(/^waits: \{/m, 'waits: { short: 1,').replace(
      // the checks end where the next section begins
      /^(steps|requirements):/m,
      [
        '  - name: route-to-missing-service',
        '    node: router',
        '    run: ip route show 172.16.254.99',
        '    expect: { contains: via }',
        '    wait: short',
        '$1:',
      ].join('\n'),
    ),
  );
  const VAGRANT_ONLY = variantOf(work, 'nightly-vagrant-only', (y) =>
    y.replace(/^name: (.*)$/m, 'name: $1\nprovider: vagrant'),
  );
  const report = join(work, 'report');
  const lab = labCli(state);
  let run: Awaited<ReturnType<typeof lab>>;
  let results: NightlyResults;
  let linksBefore: string[] = [];

  beforeAll(async () => {
    linksBefore = rootLinks();
    run = await lab(
      ['nightly', BROKEN, 'bgp-metallb', '--report', report, '-i', instance, '--parallel', '1'],
      {
        timeout: 180_000,
      },
    );
    results = JSON.parse(readFileSync(join(report, 'results.json'), 'utf8'));
  }, 200_000);

  afterAll(async () => {
    await lab(['down', BROKEN, '-i', instance]);
    await lab(['down', 'bgp-metallb', '-i', instance]);
    rmSync(work, { recursive: true, force: true });
  });

  it('exits 5 when a lab fails, and says which check, where the triage is and where the report is', () => {
    expect(run.exitCode, run.all).toBe(5);
    expect(run.all).toMatch(
      new RegExp(
        `✖ nightly-broken cycle 1/1: up failed \\(exit 5\\).*${SHIPPED_CHECKS}/${SHIPPED_CHECKS + 1} checks.*nothing left`,
      ),
    );
    expect(run.all).toMatch(/✖ route-to-missing-service on router: output does not contain 'via'/);
    expect(run.all).toMatch(/triage: labs\/nightly-broken\/cycle-1\/triage\/router\/triage\.txt/);
    expect(run.all).toMatch(
      new RegExp(
        `✔ bgp-metallb cycle 1/1: up [\\d.]+ s, ${SHIPPED_CHECKS}/${SHIPPED_CHECKS} checks, down [\\d.]+ s, nothing left`,
      ),
    );
    expect(run.all).toMatch(/1 labs passed, 1 failed, 0 skipped: nightly-broken failed/);
  });

  it('JSON: versioned; every phase timed from the engine events; the failing check with its reason', () => {
    expect(results.schema).toBe('lab-nightly/1');
    const [broken, metallb] = results.labs;
    expect(broken).toMatchObject({ lab: 'nightly-broken', status: 'failed' });
    expect(metallb).toMatchObject({ lab: 'bgp-metallb', status: 'passed' });
    const failed = broken.cycles[0].checks.find((c) => !c.ok)!;
    expect(failed).toMatchObject({
      name: 'route-to-missing-service',
      node: 'router',
      command: 'ip route show 172.16.254.99',
    });
    const c = metallb.cycles[0];
    expect(c.leaks).toEqual([]);
    const kinds = (k: string) => c.phases.filter((p) => p.kind === k);
    expect(kinds('network')).toHaveLength(1);
    expect(
      kinds('boot')
        .map((p) => p.node)
        .sort(),
    ).toEqual(['client', 'master', 'router', 'worker1', 'worker2', 'worker3']);
    expect(kinds('roles')).toHaveLength(6);
    expect(kinds('check').map((p) => p.name)).toEqual(
      resolveLab(loadLab(labFile('bgp-metallb'))).lab.checks.map((c) => c.name),
    );
    expect(kinds('teardown')).toHaveLength(1);
    // phases follow each other: boots after the network began, teardown after the last check
    expect(kinds('teardown')[0].startMs).toBeGreaterThanOrEqual(
      Math.max(...kinds('check').map((p) => p.startMs)),
    );
    expect(c.down.ms).toBeGreaterThan(0);
  });

  it('JUnit: valid against the JUnit XSD, with the failing check as a failure carrying its reason', async () => {
    const xml = readFileSync(join(report, 'junit.xml'), 'utf8');
    const v = await validateJUnit(xml);
    expect(v.valid, JSON.stringify(v.errors)).toBe(true);
    expect(xml).toMatch(
      /<testcase classname="nightly-broken.cycle1" name="check route-to-missing-service on router" time="[\d.]+">\s*<failure type="check" message="output does not contain &apos;via&apos;|<failure type="check" message="output does not contain 'via'/,
    );
    expect(xml).toMatch(
      /name="check sessions-established on router"[^>]*>\s*<system-out>BIRD [\s\S]*?Established/,
    );
    expect(xml).toMatch(/<testcase classname="bgp-metallb.cycle1" name="leaks" time="0.000"\/>/);
  });

  it('triage bundle of the failing node: the check, BIRD and the kernel as the node saw them, and its logs', () => {
    const bundle = join(report, 'labs', 'nightly-broken', 'cycle-1', 'triage', 'router');
    const text = readFileSync(join(bundle, 'triage.txt'), 'utf8');
    expect(text).toContain('command: ip route show 172.16.254.99');
    expect(text).toMatch(/## \$ birdc show protocols all\n[\s\S]*bgp_worker1 +BGP[\s\S]*Established/);
    expect(text).toMatch(/## \$ ip route\n[\s\S]*172\.16\.254\.1 proto bird/);
    expect(text).toContain('## $ nft list ruleset');
    expect(existsSync(join(bundle, 'log', 'bird.log'))).toBe(true);
  });

  it('leaves nothing behind: no namespace, no link, no state', () => {
    expect(namespacesOf(`lab.nightly-broken.${instance}`)).toEqual([]);
    expect(namespacesOf(`lab.bgp-metallb.${instance}`)).toEqual([]);
    // this run's own root links (other engineers' labs come and go on this host meanwhile)
    const ours = ['nightly-broken', 'bgp-metallb'].map((l) => `lab${instanceTag(l, instance)}`);
    expect(ours.every((l) => !linksBefore.includes(l))).toBe(true);
    expect(rootLinks().filter((l) => ours.includes(l))).toEqual([]);
    expect(existsSync(join(state, 'bgp-metallb', instance))).toBe(false);
    expect(results.labs.every((l) => l.cycles.every((c) => c.leaks.length === 0))).toBe(true);
  });

  it('HTML report in headless Chromium: verdicts, timelines, topology, triage links, and a screenshot that is not blank', async () => {
    expect(
      existsSync(CHROMIUM),
      `${CHROMIUM} is missing: ./setup.sh --deps-only installs Debian's chromium`,
    ).toBe(true);
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_FLAGS });
    try {
      const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
      const file = join(report, 'report.html');
      await page.goto(`file://${file}`);
      expect(await page.textContent('#verdict')).toBe('failed');
      expect(await page.getAttribute('#lab-nightly-broken', 'data-status')).toBe('failed');
      expect(await page.getAttribute('#lab-bgp-metallb', 'data-status')).toBe('passed');
      expect(await page.locator('svg.timeline').count()).toBe(2);
      expect(await page.locator('#lab-nightly-broken rect.phase.failed').count()).toBeGreaterThan(0);
      expect(await page.locator('#lab-bgp-metallb rect.phase.boot').count()).toBe(6);
      expect(await page.locator('#lab-bgp-metallb .topology svg').count()).toBe(1);
      expect(await page.locator('svg.trend').count()).toBe(2);
      const href = await page.getAttribute('#lab-nightly-broken a.triage', 'href');
      expect(existsSync(join(dirname(file), href!))).toBe(true);
      // the timeline is laid out: wide enough to read
      const box = await page.locator('#lab-bgp-metallb svg.timeline').boundingBox();
      expect(box!.width).toBeGreaterThan(600);
      const png = await page.screenshot({ fullPage: false });
      // not blank: decode the screenshot in the browser and count the pixels that are not background
      const shot = await browser.newPage();
      await shot.setContent(`<img id="s" src="data:image/png;base64,${png.toString('base64')}">`);
      await shot.waitForFunction(() => (document.getElementById('s') as HTMLImageElement).complete);
      const stats = await shot.evaluate(() => {
        const img = document.getElementById('s') as HTMLImageElement;
        const canvas = document.createElement('canvas');
        canvas.width = img.naturalWidth;
        canvas.height = img.naturalHeight;
        const ctx = canvas.getContext('2d')!;
        ctx.drawImage(img, 0, 0);
        const data = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
        const colours = new Set<number>();
        let ink = 0;
        for (let i = 0; i < data.length; i += 4) {
          const [r, g, b] = [data[i], data[i + 1], data[i + 2]];
          colours.add((r << 16) | (g << 8) | b);
          if (r + g + b < 600) ink++;
        }
        return { width: canvas.width, colours: colours.size, ink: ink / (data.length / 4) };
      });
      expect(stats.width).toBe(1280);
      expect(stats.colours).toBeGreaterThan(50);
      expect(stats.ink).toBeGreaterThan(0.02);
    } finally {
      await browser.close();
    }
  }, 60_000);

  it('a lab asked for that cannot run here fails with the reason; nothing is built', async () => {
    const links = rootLinks();
    const r = await lab(['nightly', VAGRANT_ONLY, '--report', join(work, 'r2'), '-i', instance]);
    expect(r.exitCode, r.all).toBe(5);
    // the provider's own preflight says why, after its header: one of its causes, not the word vagrant
    const cause =
      /this host cannot run nightly-vagrant-only on --provider vagrant \((libvirt|virtualbox)\) - (vagrant: not found|vagrant-libvirt: the plugin is missing|VirtualBox: VBoxManage not found|CPUs: the lab needs|memory: the lab needs|disk: the lab needs|management prefix \S+ overlaps)/;
    expect(r.all).toMatch(new RegExp(`nightly-vagrant-only: failed: ${cause.source}`));
    const xml = readFileSync(join(work, 'r2', 'junit.xml'), 'utf8');
    expect(xml).toMatch(new RegExp(`<error type="setup" message="${cause.source}`));
    // nothing built: no instance state, no namespace, no link, no cycle run
    expect(existsSync(join(state, 'nightly-vagrant-only', instance))).toBe(false);
    expect(namespacesOf(`lab.nightly-vagrant-only.${instance}`)).toEqual([]);
    // other test files run side by side and make lab links of their own: only this instance's counts
    const ours = `lab${instanceTag('nightly-vagrant-only', instance)}`;
    const others = /^lab[0-9a-f]{5}$/;
    expect(rootLinks().filter((l) => !links.includes(l) && (l === ours || !others.test(l)))).toEqual([]);
    const r2: NightlyResults = JSON.parse(readFileSync(join(work, 'r2', 'results.json'), 'utf8'));
    expect(r2.labs.map((l) => [l.lab, l.status, l.cycles.length])).toEqual([
      ['nightly-vagrant-only', 'failed', 0],
    ]);
  });
});
