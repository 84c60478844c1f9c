// Bench rows of lab nightly: its overhead over plain up+down of the same labs, and how fast Chromium
// opens the HTML report of 30 nights × 4 labs.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { LABS_DIR } from '../paths.js';
import { CHROMIUM, CHROMIUM_FLAGS } from '../report/chromium.js';
import { toHtml } from '../report/html.js';
import { sampleNight } from './nightly-sample.js';

const LABS = ['bgp-metallb', 'multi-coe-calico'];

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];

/** Per run: the sum of up+down of each lab, then one nightly cycle of the same labs (one at a time). */
export async function nightlyOverhead(
  bin: string,
  env: Record<string, string>,
  runs: number,
  instance: string,
): Promise<{ plainMs: number; nightlyMs: number }> {
  const run = async (args: string[], okCodes = [0]) => {
    const t = performance.now();
    const r = await execa('node', [bin, ...args], { env, reject: false, all: true });
    if (!okCodes.includes(r.exitCode ?? -1)) throw new Error(`lab ${args.join(' ')} failed:\n${r.all}`);
    return performance.now() - t;
  };
  const plain: number[] = [];
  const nightly: number[] = [];
  for (let i = 0; i < runs; i++) {
    let sum = 0;
    for (const lab of LABS) {
      sum += await run(['up', lab, '-i', instance]);
      sum += await run(['down', lab, '-i', instance]);
    }
    plain.push(sum);
    const report = mkdtempSync(join(tmpdir(), 'lab-bench-nightly-'));
    try {
      nightly.push(await run(['nightly', ...LABS, '--report', report, '--parallel', '1', '-i', instance]));
    } finally {
      rmSync(report, { recursive: true, force: true });
    }
    console.error(
      `  nightly run ${i + 1}/${runs}: up+down ${plain[i].toFixed(0)} ms, nightly ${nightly[i].toFixed(0)} ms`,
    );
  }
  return { plainMs: median(plain), nightlyMs: median(nightly) };
}

/** Milliseconds from navigation to the load event of a report of 30 nights × 4 labs (median of 5). */
export async function reportOpenMs(): Promise<number> {
  if (!existsSync(CHROMIUM)) return Number.NaN;
  const { chromium } = await import('playwright-core');
  const nights = Array.from({ length: 30 }, (_, i) => sampleNight(i));
  // the real topology pictures, as a live run embeds them
  for (const lab of nights[29].labs) {
    const svg = join(LABS_DIR, lab.lab, 'topology.svg');
    if (existsSync(svg)) lab.topology = readFileSync(svg, 'utf8');
  }
  const dir = mkdtempSync(join(tmpdir(), 'lab-bench-report-'));
  const file = join(dir, 'report.html');
  writeFileSync(file, toHtml(nights[29], nights.slice(0, 29)));
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_FLAGS });
  try {
    const times: number[] = [];
    for (let i = 0; i < 5; i++) {
      const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
      await page.goto(`file://${file}`, { waitUntil: 'load' });
      times.push(
        await page.evaluate(() => {
          const nav = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming;
          return nav.loadEventEnd - nav.startTime;
        }),
      );
      await page.close();
    }
    return median(times);
  } finally {
    await browser.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
