// The HTML report: one self-contained file (inline CSS and SVG, no script, nothing fetched) that a
// person reads first: each lab's verdict, a timeline of its phases per node, the topology, the trend of
// up time over the history, regressions, and links to the triage bundles beside the report.
import { escapeHtml } from '../html-escape.js';
import { median, phaseTimes } from './history.js';
import type { CycleResult, FailureCheck, LabResult, NightlyResults } from './results.js';
import { timelineSvg, trendSvg } from './svg-charts.js';

const esc = escapeHtml;
const secs = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const slug = (s: string) => s.replace(/[^A-Za-z0-9_-]/g, '-');
/** History tables and trends show this many most recent runs. */
export const REPORT_RUNS = 30;

const CSS = `
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Helvetica,Arial,sans-serif;margin:0;color:#222;background:#fafafa}
header{background:#24303f;color:#fff;padding:14px 24px}header h1{margin:0;font-size:20px}header p{margin:4px 0 0;color:#c9d3df}
main{padding:8px 24px 40px;max-width:1200px}
h2{font-size:17px;margin:0 0 6px}section.lab{background:#fff;border:1px solid #ddd;border-radius:6px;padding:14px 16px;margin:16px 0}
.badge{display:inline-block;padding:1px 8px;border-radius:10px;font-size:12px;font-weight:600;vertical-align:middle}
.passed{background:#e3f4e8;color:#1e7b34}.failed{background:#fbe3e1;color:#a52a1e}.skipped{background:#eee;color:#666}
table{border-collapse:collapse;margin:6px 0}td,th{border-bottom:1px solid #eee;padding:3px 10px 3px 0;text-align:left;vertical-align:top}
th{font-weight:600;color:#555}pre{background:#f4f4f4;padding:6px 8px;margin:2px 0;max-height:220px;overflow:auto;font-size:12px;white-space:pre-wrap}
.muted{color:#888}.row{font:11px system-ui,sans-serif;fill:#333}.tick{font:10px system-ui,sans-serif;fill:#777}
.grid{display:flex;gap:24px;flex-wrap:wrap;align-items:flex-start}.topology svg{max-width:560px;height:auto}
td.cell{width:14px;height:14px;padding:0;border:1px solid #fff}td.cell.passed{background:#5cb85c}td.cell.failed{background:#d9534f}td.cell.skipped{background:#ccc}
.regression{color:#a52a1e;font-weight:600}
`;

/** The cycle a person should look at: the first failing one, else the last. */
const focusCycle = (lab: LabResult): CycleResult | undefined =>
  lab.cycles.find((c) => !c.ok) ?? lab.cycles.at(-1);

function checksTable(lab: LabResult, c: CycleResult): string {
  const rows = lab.checks.map((check) => {
    const r = c.checks.find((x) => x.name === check.name && x.node === check.node);
    const status = !r ? 'skipped' : r.ok ? 'passed' : 'failed';
    const why = !r ? 'not run: up failed before it' : r.ok ? (r.detail ?? '') : (r.reason ?? '');
    return `<tr class="check ${status}" data-check="${esc(check.name)}"><td><span class="badge ${status}">${status}</span></td><td>${esc(check.name)}</td><td>${esc(check.node)}</td><td>${r ? secs(r.waitedMs) : ''}</td><td>${esc(why)}${r && !r.ok ? `<br><code>${esc(r.command)}</code>${r.output ? `<pre>${esc(r.output)}</pre>` : ''}` : ''}</td></tr>`;
  });
  return `<table class="checks"><tr><th></th><th>check</th><th>node</th><th>waited</th><th></th></tr>${rows.join('')}</table>`;
}

/** The declared failures of a cycle: each step with what it broke and kept, then the recovery. */
function failuresTable(c: CycleResult): string {
  if (!c.failures?.length) return '';
  const row = (what: string, ok: boolean, ms: number, body: string) =>
    `<tr class="failure ${ok ? 'passed' : 'failed'}"><td><span class="badge ${ok ? 'passed' : 'failed'}">${ok ? 'as declared' : 'against it'}</span></td><td>${what}</td><td>${secs(ms)}</td><td>${body}</td></tr>`;
  const checks = (list: FailureCheck[]) =>
    list
      .map(
        (k) =>
          `${k.ok ? '✔' : '✖'} ${esc(k.name)} on ${esc(k.node)}${k.broken ? ' (breaks)' : ''}${k.ok ? '' : `: ${esc(k.reason ?? 'still passes')}`}`,
      )
      .join('<br>');
  const rows = c.failures.map((f) =>
    row(
      `${esc(f.step)}<br><span class="muted">${f.actions.map(esc).join(', ')}</span>`,
      f.ok,
      f.ms,
      f.error ? `<pre class="error">${esc(f.error)}</pre>` : checks(f.checks),
    ),
  );
  if (c.recovery)
    rows.push(
      row(
        'recovered: every check',
        c.recovery.ok,
        c.recovery.ms,
        checks(c.recovery.checks.filter((k) => !k.ok)) || 'all pass',
      ),
    );
  return `<h3>declared failures</h3><table class="failures"><tr><th></th><th>step</th><th>took</th><th>checks</th></tr>${rows.join('')}</table>`;
}

function labSection(lab: LabResult, history: NightlyResults[], current: NightlyResults): string {
  const id = `lab-${slug(lab.lab)}`;
  const c = focusCycle(lab);
  const cycles = lab.cycles
    .map(
      (k) =>
        `<tr><td>${k.cycle}</td><td><span class="badge ${k.ok ? 'passed' : 'failed'}">${k.ok ? 'passed' : 'failed'}</span></td><td>${k.up.ok ? secs(k.up.ms) : `failed (exit ${k.up.exitCode})`}</td><td>${k.checks.filter((x) => x.ok).length}/${lab.checks.length}</td><td>${k.down.ok ? secs(k.down.ms) : 'failed'}</td><td>${k.leaks.length ? `<span class="regression">${k.leaks.map((l) => esc(`${l.kind} ${l.what}`)).join(', ')}</span>` : 'none'}</td><td>${k.triage.map((t) => `<a class="triage" href="${esc(t.file)}">${esc(t.node)}</a>`).join(' ')}</td></tr>`,
    )
    .join('');
  const trend = trendSvg(
    [...history, current].slice(-REPORT_RUNS).flatMap((r) => {
      const l = r.labs.find((x) => x.lab === lab.lab);
      if (!l || l.status === 'skipped') return [];
      const ups = l.cycles.map((k) => k.up.ms);
      return [{ at: r.startedAt, ms: ups.length ? median(ups) : undefined, ok: l.status === 'passed' }];
    }),
  );
  const regressions = current.regressions.filter((r) => r.lab === lab.lab);
  const error = c && !c.up.ok && c.up.error ? `<pre class="error">${esc(c.up.error)}</pre>` : '';
  return `<section class="lab" id="${id}" data-status="${lab.status}">
<h2>${esc(lab.lab)} <span class="badge ${lab.status}">${lab.status}</span> <span class="muted">${lab.nodes} nodes, ${lab.cycles.length} cycles</span></h2>
${lab.reason ? `<p class="reason">${esc(lab.reason)}</p>` : ''}
${regressions.map((r) => `<p class="regression">regression: ${esc(r.phase)} took ${secs(r.ms)}, ${r.ratio.toFixed(2)}× the recent median ${secs(r.medianMs)}</p>`).join('')}
${lab.cycles.length ? `<table class="cycles"><tr><th>cycle</th><th></th><th>up</th><th>checks</th><th>down</th><th>left behind</th><th>triage</th></tr>${cycles}</table>` : ''}
${error}
${c ? `<h3>cycle ${c.cycle}: phases per node</h3><div class="timeline-box">${timelineSvg(c)}</div>${checksTable(lab, c)}${failuresTable(c)}` : ''}
<div class="grid"><div><h3>up time, last ${REPORT_RUNS} runs</h3>${trend}</div>
<div class="topology"><h3>topology</h3>${lab.topology ? lab.topology.slice(lab.topology.indexOf('<svg')) : '<span class="muted">none</span>'}</div></div>
</section>`;
}

function historyTable(runs: NightlyResults[]): string {
  const labs = [...new Set(runs.flatMap((r) => r.labs.map((l) => l.lab)))].sort();
  const rows = labs.map(
    (lab) =>
      `<tr><th>${esc(lab)}</th>${runs
        .map((r) => {
          const l = r.labs.find((x) => x.lab === lab);
          const s = l?.status ?? 'skipped';
          return `<td class="cell ${s}" title="${esc(`${r.startedAt}: ${s}`)}"></td>`;
        })
        .join('')}</tr>`,
  );
  return `<table class="history">${rows.join('')}</table>`;
}

export function toHtml(current: NightlyResults, history: NightlyResults[]): string {
  const verdict = current.ok ? 'passed' : 'failed';
  const runs = [...history, current].slice(-REPORT_RUNS);
  const summary = current.labs
    .map((l) => {
      const t = phaseTimes(l);
      return `<tr><td><a href="#lab-${slug(l.lab)}">${esc(l.lab)}</a></td><td><span class="badge ${l.status}">${l.status}</span></td><td>${l.cycles.filter((c) => c.ok).length}/${l.cycles.length}</td><td>${t.up !== undefined ? secs(t.up) : ''}</td><td>${t.down !== undefined ? secs(t.down) : ''}</td><td class="muted">${esc(l.reason ?? '')}</td></tr>`;
    })
    .join('');
  const th = current.thresholds;
  const regressions = current.regressions.length
    ? `<ul>${current.regressions.map((r) => `<li class="regression">${esc(r.lab)}: ${esc(r.phase)} ${secs(r.ms)} vs median ${secs(r.medianMs)} (${r.ratio.toFixed(2)}×)</li>`).join('')}</ul>`
    : '<p>none</p>';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>lab nightly ${verdict}: ${esc(current.startedAt)}</title><style>${CSS}</style></head>
<body data-status="${verdict}">
<header><h1>lab nightly <span id="verdict" class="badge ${verdict}">${verdict}</span></h1>
<p>${esc(current.startedAt)} on ${esc(current.host)}, ${current.cycles} cycle(s) per lab</p></header>
<main>
<section id="summary"><h2>labs</h2><table><tr><th>lab</th><th></th><th>cycles passed</th><th>up (median)</th><th>down</th><th></th></tr>${summary}</table></section>
<section id="regressions"><h2>regressions</h2><p class="muted">a phase slower than ${th.ratio}× the median of the last ${th.window} passed runs, and by at least ${th.minExtraMs} ms</p>${regressions}</section>
<section id="history"><h2>last ${runs.length} runs</h2>${historyTable(runs)}</section>
${current.labs.map((l) => labSection(l, history, current)).join('\n')}
</main></body></html>
`;
}
