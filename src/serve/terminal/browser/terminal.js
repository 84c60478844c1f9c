// lab serve's browser terminal: xterm.js over a WebSocket to a node's shell. The wire protocol is in
// src/serve/terminal/index.ts. Load xterm.js, addon-fit.js and xterm.css first (TERMINAL_ASSETS), then:
//   labTerminal.open(element, url, { readOnly })   or   <div data-terminal-url="URL" data-readonly="true">
// url may be relative to the page (http(s) becomes ws(s)).
(() => {
  const encoder = new TextEncoder();

  function socketUrl(url) {
    const u = new URL(url, window.location.href);
    if (u.protocol === 'http:') u.protocol = 'ws:';
    if (u.protocol === 'https:') u.protocol = 'wss:';
    return u.href;
  }

  function open(element, url, options) {
    const readOnly = Boolean(options?.readOnly);
    const term = new window.Terminal({
      cursorBlink: !readOnly,
      disableStdin: readOnly,
      scrollback: 5000,
      fontFamily: 'ui-monospace, Menlo, Consolas, monospace',
    });
    const fit = new window.FitAddon.FitAddon();
    term.loadAddon(fit);
    term.open(element);
    fit.fit();

    const ws = new WebSocket(socketUrl(url));
    ws.binaryType = 'arraybuffer';
    element.dataset.state = 'connecting';
    const sendSize = () => {
      if (!readOnly && ws.readyState === WebSocket.OPEN)
        ws.send(JSON.stringify({ resize: { cols: term.cols, rows: term.rows } }));
    };
    const sendKeys = (data) => {
      if (!readOnly && ws.readyState === WebSocket.OPEN) ws.send(encoder.encode(data));
    };
    ws.onopen = () => {
      element.dataset.state = 'open';
      sendSize();
      if (!readOnly) term.focus();
    };
    ws.onmessage = (ev) => {
      term.write(typeof ev.data === 'string' ? ev.data : new Uint8Array(ev.data));
    };
    ws.onclose = (ev) => {
      element.dataset.state = 'closed';
      term.write(`\r\n[${ev.reason || 'disconnected'}]\r\n`);
    };
    term.onData(sendKeys);
    term.onBinary((data) => {
      if (!readOnly && ws.readyState === WebSocket.OPEN)
        ws.send(Uint8Array.from(data, (c) => c.charCodeAt(0) & 0xff));
    });
    term.onResize(sendSize);
    const observer = new ResizeObserver(() => fit.fit());
    observer.observe(element);

    return {
      terminal: term,
      socket: ws,
      close() {
        observer.disconnect();
        ws.close();
        term.dispose();
      },
    };
  }

  window.labTerminal = { open };

  const start = () => {
    for (const el of document.querySelectorAll('[data-terminal-url]'))
      open(el, el.dataset.terminalUrl, { readOnly: el.dataset.readonly === 'true' });
  };
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
})();
