// The report's two small charts as inline SVG: a cycle's phases per node, and up time across runs.
import type { CycleResult, Phase } from './results.js';

const esc = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

export const PHASE_COLOURS: Record<string, string> = {
  network: '#7f8c8d',
  boot: '#4a90d9',
  ssh: '#9b59b6',
  roles: '#27ae60',
  check: '#e67e22',
  teardown: '#95a5a6',
};
const FAILED = '#c0392b';

/** Nice tick steps for an axis of `max` ms. */
function tickStep(max: number): number {
  const raw = max / 6;
  const p = 10 ** Math.floor(Math.log10(Math.max(raw, 1)));
  return [1, 2, 5, 10].map((m) => m * p).find((s) => s >= raw) ?? p * 10;
}

/** One row per node (boot, ssh, roles), then one per check, then teardown; time runs left to right. */
export function timelineSvg(cycle: CycleResult): string {
  const rows: { label: string; phases: Phase[] }[] = [];
  const row = (label: string) => {
    let r = rows.find((x) => x.label === label);
    if (!r) {
      r = { label, phases: [] };
      rows.push(r);
    }
    return r;
  };
  for (const p of cycle.phases) {
    if (p.kind === 'network') row('network').phases.push(p);
    else if (p.kind === 'check') row(`check ${p.name} @${p.node}`).phases.push(p);
    else if (p.kind === 'teardown') row('teardown').phases.push(p);
    else row(p.node ?? p.kind).phases.push(p);
  }
  // network first, then nodes, then checks in the order they ran, teardown last
  const rank = (l: string) => (l === 'network' ? 0 : l === 'teardown' ? 3 : l.startsWith('check ') ? 2 : 1);
  rows.sort((a, b) => rank(a.label) - rank(b.label));
  const end = Math.max(1, ...cycle.phases.map((p) => p.startMs + p.ms));
  const left = 190;
  const width = 900;
  const rowH = 16;
  const top = 22;
  const height = top + rows.length * rowH + 26;
  const x = (ms: number) => left + (Math.max(0, ms) / end) * (width - left - 10);
  const step = tickStep(end);
  const ticks: string[] = [];
  for (let t = 0; t <= end; t += step)
    ticks.push(
      `<line x1="${x(t)}" y1="${top - 4}" x2="${x(t)}" y2="${height - 22}" stroke="#e3e3e3"/><text x="${x(t)}" y="${height - 8}" text-anchor="middle" class="tick">${t >= 1000 ? `${(t / 1000).toFixed(t % 1000 ? 1 : 0)} s` : `${t} ms`}</text>`,
    );
  const bars = rows.flatMap((r, i) => {
    const y = top + i * rowH;
    return [
      `<text x="${left - 6}" y="${y + 11}" text-anchor="end" class="row">${esc(r.label)}</text>`,
      ...r.phases.map((p) => {
        const w = Math.max(1.5, x(p.startMs + p.ms) - x(p.startMs));
        const what = `${p.kind}${p.name ? ` ${p.name}` : ''}${p.node ? ` on ${p.node}` : ''}: ${p.ms} ms${p.ok ? '' : ' (failed)'}`;
        // ssh and roles run at once on a node: roles in the row's upper half, ssh in its lower half
        const half = (rowH - 4) / 2;
        const [top2, h] =
          p.kind === 'roles' ? [y + 2, half] : p.kind === 'ssh' ? [y + 2 + half, half] : [y + 2, rowH - 4];
        return `<rect class="phase ${p.kind}${p.ok ? '' : ' failed'}" x="${x(p.startMs).toFixed(1)}" y="${top2}" width="${w.toFixed(1)}" height="${h}" fill="${p.ok ? (PHASE_COLOURS[p.kind] ?? '#34495e') : FAILED}"><title>${esc(what)}</title></rect>`;
      }),
    ];
  });
  const legend = Object.entries(PHASE_COLOURS)
    .map(
      ([k, c], i) =>
        `<rect x="${left + i * 90}" y="4" width="10" height="10" fill="${c}"/><text x="${left + i * 90 + 14}" y="13" class="tick">${k}</text>`,
    )
    .join('');
  return `<svg class="timeline" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="phases of cycle ${cycle.cycle}">${legend}<rect x="${left + 6 * 90}" y="4" width="10" height="10" fill="${FAILED}"/><text x="${left + 6 * 90 + 14}" y="13" class="tick">failed</text>${ticks.join('')}${bars.join('')}</svg>`;
}

/** Up time of the lab's runs, oldest first; failed runs as red dots. */
export function trendSvg(points: { at: string; ms?: number; ok: boolean }[]): string {
  const width = 300;
  const height = 70;
  const pad = 8;
  const values = points.flatMap((p) => (p.ms === undefined ? [] : [p.ms]));
  if (!values.length) return '<span class="muted">no runs yet</span>';
  const max = Math.max(...values);
  const min = Math.min(...values);
  const span = Math.max(1, max - min);
  const x = (i: number) =>
    pad + (points.length === 1 ? (width - 2 * pad) / 2 : (i / (points.length - 1)) * (width - 2 * pad));
  const y = (ms: number) => height - 18 - ((ms - min) / span) * (height - 18 - pad);
  const line = points
    .map((p, i) => (p.ok && p.ms !== undefined ? `${x(i).toFixed(1)},${y(p.ms).toFixed(1)}` : ''))
    .filter(Boolean)
    .join(' ');
  const dots = points
    .map((p, i) =>
      p.ms === undefined
        ? ''
        : `<circle cx="${x(i).toFixed(1)}" cy="${y(p.ms).toFixed(1)}" r="${p.ok ? 2 : 3.5}" fill="${p.ok ? '#4a90d9' : FAILED}"><title>${esc(p.at)}: ${p.ms} ms${p.ok ? '' : ' (failed)'}</title></circle>`,
    )
    .join('');
  return `<svg class="trend" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="up time over ${points.length} runs"><polyline points="${line}" fill="none" stroke="#4a90d9" stroke-width="1.5"/>${dots}<text x="${pad}" y="${height - 4}" class="tick">${(min / 1000).toFixed(2)}–${(max / 1000).toFixed(2)} s over ${points.length} runs</text></svg>`;
}
