// The workshop's two pages, written on the server: every string from the lab file, a node or a person
// goes through escapeHtml; the page's script (assets/workshop.js) changes text only through textContent.
// The topology is an <img> of the lab's SVG (an image runs no script, whatever its labels say).
import type { Lab } from '../core/lab.js';
import { escapeHtml as esc } from '../html-escape.js';
import type { Attendee } from './state.js';
import { type AttendeeView, Workshop } from './workshop.js';

export interface PageAssets {
  scripts: string[];
  styles: string[];
}

const head = (title: string, assets: PageAssets) => `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer"><title>${esc(title)}</title>
${assets.styles.map((s) => `<link rel="stylesheet" href="${esc(s)}">`).join('\n')}
</head>`;

const scripts = (assets: PageAssets) =>
  assets.scripts.map((s) => `<script src="${esc(s)}"></script>`).join('\n');

const stateBadge = (state: string) => `<span class="badge ${esc(state)}">${esc(state)}</span>`;

function stepItem(lab: Lab, view: AttendeeView, i: number): string {
  const step = lab.steps[i];
  const s = view.steps[i];
  const last = view.last[step.name];
  const checks = s.checks
    .map(
      (c) =>
        `<li class="check" data-check="${esc(c.name)}">${esc(c.name)} <span class="verdict">${c.ok === undefined ? 'not run' : c.ok ? 'passed' : 'failed'}</span></li>`,
    )
    .join('');
  return `<li class="step" data-step="${esc(step.name)}" data-state="${esc(s.state)}">
<h3>${i + 1}. ${esc(step.name)} ${stateBadge(s.state)}</h3>
<p class="description">${esc(step.description)}</p>
<ul class="checks">${checks}</ul>
<div class="actions"><button type="button" class="check-step" data-step="${esc(step.name)}">Check</button>${
    Workshop.automated(step)
      ? ` <button type="button" class="run-step" data-step="${esc(step.name)}">Run</button>`
      : ''
  }</div>
<pre class="result" data-ok="${last ? String(last.ok) : ''}">${last ? esc(last.lines.join('\n')) : ''}</pre>
</li>`;
}

export function attendeePage(opts: {
  lab: Lab;
  attendee: Attendee;
  view: AttendeeView;
  base: string;
  message?: string;
  ssh: { host: string; port: number };
  assets: PageAssets;
}): string {
  const { lab, attendee: a, view, base, ssh } = opts;
  // where the gateway's config expects the key and the known hosts (attendeeSshConfig's defaults)
  const key = `~/.ssh/lab-${a.name}`;
  const nodes = lab.nodes.map((n) => n.name);
  const setup = [
    `curl -fsS -o ${key} 'URL/id_ed25519' && chmod 600 ${key}`,
    `curl -fsS -o ${key}.known_hosts 'URL/known_hosts'`,
    `curl -fsS -o ${key}.config 'URL/ssh-config'`,
    `ssh -F ${key}.config ${nodes[0] ?? 'NODE'}`,
  ].join('\n');
  return `${head(`${lab.name}: ${a.name}`, opts.assets)}
<body data-role="attendee" data-base="${esc(base)}" data-attendee="${esc(a.name)}">
<header><h1>${esc(lab.name)}</h1><p>You are <strong>${esc(a.name)}</strong> · <span id="status">${esc(view.status)}</span> <span id="busy">${esc(view.busy ?? '')}</span></p></header>
<div id="message" class="message"${opts.message ? '' : ' hidden'}>${esc(opts.message ?? '')}</div>
<main>
<section class="about"><p class="lab-description">${esc(lab.description)}</p>
<img class="topology" src="${esc(base)}topology.svg" alt="the topology of ${esc(lab.name)}"></section>
<section class="steps"><h2>Steps</h2><ol>${lab.steps.map((_, i) => stepItem(lab, view, i)).join('\n')}</ol></section>
<section class="terminals"><h2>Terminals</h2>
<div class="tabs">${nodes.map((n) => `<button type="button" class="open-terminal" data-node="${esc(n)}">${esc(n)}</button>`).join(' ')}</div>
<div id="terminal" class="terminal"></div></section>
<section class="ssh"><h2>From your laptop (SSH)</h2>
<p>Through the workshop's SSH gateway (${esc(ssh.host)}, port ${ssh.port}, user <code>${esc(a.name)}</code>), with your own key:
<a href="${esc(base)}id_ed25519" download="id_ed25519">key</a>,
<a href="${esc(base)}known_hosts" download="known_hosts">known_hosts</a>,
<a href="${esc(base)}ssh-config" download="config">OpenSSH config</a> (ProxyJump through the gateway).
A reset makes a new key: fetch them again after one.</p>
<pre class="setup">${esc(setup.replaceAll('URL/', `${'ORIGIN'}${base}`))}</pre></section>
</main>
${scripts(opts.assets)}
</body></html>`;
}

export function instructorPage(opts: {
  lab: Lab;
  views: AttendeeView[];
  links: Record<string, string>;
  base: string;
  message?: string;
  assets: PageAssets;
}): string {
  const { lab, base } = opts;
  const header = lab.steps
    .map((s, i) => `<th title="${esc(s.description)}">${i + 1}. ${esc(s.name)}</th>`)
    .join('');
  const stepOptions = ['0', ...lab.steps.map((s) => s.name)]
    .map((s) => `<option value="${esc(s)}">${s === '0' ? 'before step 1' : esc(s)}</option>`)
    .join('');
  const row = (v: AttendeeView) =>
    `<tr class="attendee" data-attendee="${esc(v.name)}"><th><a href="${esc(opts.links[v.name] ?? '#')}">${esc(v.name)}</a></th>
<td class="status">${esc(v.status)}</td><td class="health"></td>${lab.steps.map((s) => `<td class="cell" data-step="${esc(s.name)}"></td>`).join('')}
<td class="row-actions"><button type="button" class="check-one">check</button>
<select class="reset-to">${stepOptions}</select><button type="button" class="reset">reset</button>
<select class="view-node">${lab.nodes.map((n) => `<option>${esc(n.name)}</option>`).join('')}</select><button type="button" class="view">view terminal</button></td></tr>`;
  return `${head(`${lab.name}: instructor`, opts.assets)}
<body data-role="instructor" data-base="${esc(base)}">
<header><h1>${esc(lab.name)}: instructor</h1><p><span id="count">${opts.views.length}</span> attendees</p></header>
<div id="message" class="message"${opts.message ? '' : ' hidden'}>${esc(opts.message ?? '')}</div>
<main>
<section class="controls">
<button type="button" id="check-all">run checks for all</button>
<button type="button" id="add">add an attendee</button>
<form id="message-form"><input id="message-text" maxlength="500" placeholder="a message to everyone"><button type="submit">send</button></form>
<button type="button" id="end" class="danger">end the workshop (down all)</button>
</section>
<table id="board"><thead><tr><th>attendee</th><th>status</th><th>health</th>${header}<th></th></tr></thead>
<tbody>${opts.views.map(row).join('\n')}</tbody></table>
<section class="viewer"><h2 id="viewer-title">terminal (read-only)</h2><div id="terminal" class="terminal"></div></section>
<section class="events"><h2>Events</h2><ol id="events"></ol></section>
</main>
<template id="row-template">${row({ name: '', status: 'starting', steps: [], last: {} })}</template>
${scripts(opts.assets)}
</body></html>`;
}
