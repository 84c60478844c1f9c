// The workshop pages' script (attendee and instructor), served as is: no framework, no build. It
// changes the page through textContent and attributes only, never innerHTML: what a node or a person
// wrote stays text. Live updates come over one EventSource; terminals are the terminal module's
// (src/serve/terminal/browser/terminal.js: xterm.js over a WebSocket).
(() => {
  const body = document.body;
  const base = body.dataset.base;
  const role = body.dataset.role;
  const $ = (sel, root = document) => root.querySelector(sel);
  const $$ = (sel, root = document) => [...root.querySelectorAll(sel)];

  async function post(path, data) {
    const r = await fetch(base + path, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(data ?? {}),
    });
    const answer = await r.json().catch(() => ({ error: `HTTP ${r.status}` }));
    if (!r.ok) throw new Error(answer.error ?? `HTTP ${r.status}`);
    return answer;
  }

  function showMessage(text) {
    const m = $('#message');
    m.textContent = text;
    m.hidden = !text;
  }

  // a terminal in #terminal, one at a time (the terminal module's labTerminal, over its WebSocket)
  let current;
  function openTerminal(url, title, readOnly = false) {
    current?.close();
    const box = $('#terminal');
    box.replaceChildren();
    box.dataset.title = title;
    current = window.labTerminal.open(box, url, { readOnly });
  }

  // the newest result wins: a live update carrying an older one (it may come while Check runs, or
  // after its answer) never replaces what is shown
  function showResult(li, result) {
    const pre = $('.result', li);
    if (pre.dataset.at && result.at && result.at < pre.dataset.at) return;
    pre.dataset.at = result.at ?? '';
    pre.textContent = result.lines.join('\n');
    pre.dataset.ok = String(result.ok);
  }

  function updateAttendee(view) {
    $('#status').textContent = view.status;
    $('#busy').textContent = view.busy ?? '';
    for (const s of view.steps) {
      const li = $(`li.step[data-step="${CSS.escape(s.name)}"]`);
      if (!li) continue;
      li.dataset.state = s.state;
      const badge = $('h3 .badge', li);
      badge.textContent = s.state;
      badge.className = `badge ${s.state}`;
      for (const c of s.checks) {
        const v = $(`li.check[data-check="${CSS.escape(c.name)}"] .verdict`, li);
        if (v) v.textContent = c.ok === undefined ? 'not run' : c.ok ? 'passed' : 'failed';
      }
      const last = view.last[s.name];
      if (last) showResult(li, last);
    }
  }

  const when = (iso) => (iso ? new Date(iso).toLocaleTimeString() : '');

  function rowOf(name) {
    let tr = $(`tr.attendee[data-attendee="${CSS.escape(name)}"]`);
    if (!tr) {
      tr = $('#row-template').content.firstElementChild.cloneNode(true);
      tr.dataset.attendee = name;
      $('th a', tr).textContent = name;
      $('#board tbody').append(tr);
      wireRow(tr);
      $('#count').textContent = String($$('tr.attendee', $('#board tbody')).length);
    }
    return tr;
  }

  function updateRow(view, link) {
    const tr = rowOf(view.name);
    if (link) $('th a', tr).href = link;
    $('.status', tr).textContent = view.busy ? `${view.status}: ${view.busy}` : view.status;
    const h = $('.health', tr);
    h.textContent = view.health ? (view.health.ok ? 'ok' : `✖ ${view.health.problems.join('; ')}`) : '';
    h.dataset.ok = view.health ? String(view.health.ok) : '';
    for (const s of view.steps) {
      const td = $(`td.cell[data-step="${CSS.escape(s.name)}"]`, tr);
      if (!td) continue;
      const last = view.last[s.name];
      const failed = s.checks.filter((c) => c.ok === false).length;
      const passed = s.checks.filter((c) => c.ok === true).length;
      td.dataset.state = s.state;
      td.dataset.checks = failed ? 'failed' : passed ? 'passed' : '';
      const at = s.checks
        .map((c) => c.at)
        .filter(Boolean)
        .sort()
        .at(-1);
      td.textContent = `${s.state}${passed || failed ? ` ✔${passed} ✖${failed}` : ''}${at ? ` ${when(at)}` : ''}`;
      td.title = last ? last.lines.join('\n') : '';
    }
  }

  function addEvent(e) {
    const li = document.createElement('li');
    li.textContent = `${when(e.at)} ${e.attendee ?? 'workshop'}: ${e.text}`;
    $('#events').prepend(li);
    while ($('#events').children.length > 200) $('#events').lastElementChild.remove();
  }

  function wireRow(tr) {
    const name = () => tr.dataset.attendee;
    const act = (button, fn) =>
      button.addEventListener('click', async () => {
        button.disabled = true;
        try {
          await fn();
        } catch (e) {
          alert(e.message);
        } finally {
          button.disabled = false;
        }
      });
    act($('.check-one', tr), () => post(`check/${encodeURIComponent(name())}`));
    act($('.reset', tr), () => post(`reset/${encodeURIComponent(name())}`, { to: $('.reset-to', tr).value }));
    act($('.view', tr), async () => {
      const node = $('.view-node', tr).value;
      $('#viewer-title').textContent = `${name()} on ${node} (read-only)`;
      openTerminal(
        `${base}view/${encodeURIComponent(name())}/${encodeURIComponent(node)}`,
        `${name()}/${node}`,
      );
    });
  }

  const events = new EventSource(`${base}events`);
  events.onmessage = (m) => {
    const e = JSON.parse(m.data);
    if (e.type === 'message') showMessage(e.text);
    else if (e.type === 'ended') {
      showMessage('The workshop has ended: every instance is removed.');
      events.close();
    } else if (e.type === 'view') role === 'attendee' ? updateAttendee(e.view) : updateRow(e.view, e.link);
    else if (e.type === 'event' && role === 'instructor') addEvent(e.event);
  };
  events.onopen = () => body.setAttribute('data-live', 'yes');

  if (role === 'attendee') {
    for (const b of $$('button.check-step, button.run-step'))
      b.addEventListener('click', async () => {
        const li = b.closest('li.step');
        const verb = b.classList.contains('run-step') ? 'run' : 'check';
        const pre = $('.result', li);
        // the last result stays until the new one replaces it, dimmed (no blank box in between); the
        // button says what runs
        const doing = verb === 'run' ? 'running …' : 'checking …';
        const label = b.textContent;
        pre.dataset.pending = verb;
        if (!pre.textContent) pre.textContent = doing;
        b.textContent = doing;
        b.disabled = true;
        try {
          showResult(li, await post(`${verb}/${encodeURIComponent(b.dataset.step)}`));
        } catch (e) {
          pre.dataset.ok = 'false';
          pre.textContent = e.message;
        } finally {
          delete pre.dataset.pending;
          b.textContent = label;
          b.disabled = false;
        }
      });
    for (const b of $$('button.open-terminal'))
      b.addEventListener('click', () => {
        for (const o of $$('button.open-terminal')) o.classList.toggle('active', o === b);
        openTerminal(`${base}terminal/${encodeURIComponent(b.dataset.node)}`, b.dataset.node);
      });
    for (const pre of $$('pre.setup'))
      pre.textContent = pre.textContent.replaceAll('ORIGIN', location.origin);
  } else {
    for (const tr of $$('tr.attendee', $('#board tbody'))) wireRow(tr);
    $('#check-all').addEventListener('click', () => post('check').catch((e) => alert(e.message)));
    $('#add').addEventListener('click', () => post('add').catch((e) => alert(e.message)));
    $('#end').addEventListener('click', () => {
      if (confirm("End the workshop: every attendee's instance goes down. Sure?"))
        post('end').catch((e) => alert(e.message));
    });
    $('#message-form').addEventListener('submit', (e) => {
      e.preventDefault();
      post('message', { text: $('#message-text').value }).catch((x) => alert(x.message));
    });
  }
})();
