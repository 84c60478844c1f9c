// lab serve LAB --instances N: a workshop people join from their laptops. Brings the attendees'
// instances up (adopting those up already), then serves one HTTP(S) port (attendee pages, the
// instructor's dashboard, browser terminals) and one SSH port (the gateway) until Ctrl-C or SIGTERM.
// Stopping the server leaves the instances up (a later lab serve adopts them, links unchanged); the
// dashboard's "end the workshop" removes them all.
import { isIP } from 'node:net';
import { join } from 'node:path';
import { instanceDir, readInstance } from '../../engine/instances.js';
import { files } from '../../engine/state.js';
import {
  DEFAULT_PREFIX,
  parseCount,
  parseParallel,
  verifyAttendeeNames,
  workshopUp,
} from '../../engine/workshop.js';
import { DefinitionError } from '../../errors.js';
import { openLab } from '../../model/open.js';
import { labFileOf, stateRoot } from '../../paths.js';
import { printable } from '../../printable.js';
import { BROWSER_FILES } from '../../serve/browser-files.js';
import { isLoopback, parsePort, readTls, urlHost, verifyPortFree } from '../../serve/listen.js';
import { handleInterruption } from '../interrupt.js';

export interface ServeFlags {
  instances: string;
  prefix?: string;
  parallel?: string;
  listen?: string;
  port?: string;
  sshPort?: string;
  tlsCert?: string;
  tlsKey?: string;
  to?: string;
  set: string[];
  allow?: string[];
  json?: boolean;
}

/** How often the dashboard's health column is read again. */
const HEALTH_EVERY_MS = 15_000;

/** The pages' own script and style, beside the terminal's files (served at their paths). */
function assetsOf(terminalAssets: { path: string; file: string; type: string }[]) {
  const own = join(BROWSER_FILES, 'assets');
  return [
    ...terminalAssets,
    { path: '/assets/workshop.css', file: join(own, 'workshop.css'), type: 'text/css; charset=utf-8' },
    { path: '/assets/workshop.js', file: join(own, 'workshop.js'), type: 'text/javascript; charset=utf-8' },
  ];
}

export async function serve(ref: string, opts: ServeFlags): Promise<void> {
  // every flag judged before anything is created
  const count = parseCount(opts.instances);
  const prefix = opts.prefix ?? DEFAULT_PREFIX;
  verifyAttendeeNames(prefix, count);
  const parallel = parseParallel(opts.parallel);
  const listen = opts.listen ?? '127.0.0.1';
  if (listen !== 'localhost' && !isIP(listen))
    throw new DefinitionError(`--listen ${listen}: give an IP address of this host (or localhost)`, {
      code: 'listen-invalid',
    });
  const tls = readTls(opts.tlsCert, opts.tlsKey);
  if (!tls && !isLoopback(listen))
    throw new DefinitionError(
      `--listen ${listen}: without TLS the workshop serves on loopback only (its links carry the attendees' secrets)`,
      {
        code: 'listen-needs-tls',
        details: [
          'Give --tls-cert FILE --tls-key FILE to serve on this address, or leave --listen out (127.0.0.1).',
        ],
      },
    );
  const port = parsePort('--port', opts.port, tls ? 8443 : 8080);
  const sshPort = parsePort('--ssh-port', opts.sshPort, 2222);
  await verifyPortFree('--port', listen, port);
  await verifyPortFree('--ssh-port', listen, sshPort);
  const file = labFileOf(ref);
  const say = (line: string) => console.error(printable(line));

  const signal = await handleInterruption();
  const { lab: labName, outcomes } = await workshopUp(file, {
    set: opts.set,
    allow: opts.allow,
    to: opts.to,
    signal,
    count,
    prefix,
    parallel,
    adopt: true,
    onSettled: (o) =>
      say(
        `  ${o.instance.padEnd(16)} ${o.adopted ? 'adopted (up already)' : o.ok ? `up and proven at ${(o.ms / 1000).toFixed(2)} s` : `FAILED (exit ${o.exitCode}): ${o.error}`}`,
      ),
  });
  const { lab } = openLab(file, opts.set, undefined, opts.allow ?? []);
  const [
    { LocalWorkshopState },
    { Workshop, stateFileOf },
    { startServer },
    { startGateway },
    terminal,
    { graphOf },
  ] = await Promise.all([
    import('../../serve/state.js'),
    import('../../serve/workshop.js'),
    import('../../serve/server.js'),
    import('../../serve/gateway/index.js'),
    import('../../serve/terminal/index.js'),
    import('../../graph/index.js'),
  ]);
  const state = new LocalWorkshopState(stateFileOf(stateRoot(), labName, prefix));
  for (const o of outcomes)
    state.put({
      name: o.instance,
      placement: { kind: 'local', dir: instanceDir(labName, o.instance) },
      status: o.ok ? 'up' : 'failed',
      error: o.ok ? undefined : o.error,
    });
  // attendees the dashboard added in an earlier run (PREFIX-(N+1) ...), up from this lab file: theirs too
  for (let k = count + 1; ; k++) {
    const name = `${prefix}-${k}`;
    const record = readInstance(instanceDir(labName, name));
    if (record?.status !== 'up' || record.file !== file) break;
    state.put({ name, placement: { kind: 'local', dir: record.dir }, status: 'up' });
    say(`  ${name.padEnd(16)} adopted (added earlier from the dashboard)`);
  }
  const stopping = new AbortController();
  const workshop = new Workshop({
    file,
    lab,
    sets: opts.set,
    allow: opts.allow ?? [],
    prefix,
    parallel,
    state,
    signal: stopping.signal,
  });
  const hub = terminal.createTerminalHub();
  const hostKeyPath = join(stateRoot(), '.serve', `${labName}.${prefix}.host_key`);
  const gateway = await startGateway({
    listen,
    port: sshPort,
    hostKeyPath,
    attendees: () =>
      state
        .attendees()
        .filter((a) => a.status === 'up')
        .map((a) => ({
          user: a.name,
          authorizedKey: workshop.authorizedKey(a),
          link: workshop.linkOf(a) ?? '',
          targets: () => workshop.targets(a),
          down: (node: string) => workshop.unreachable(a, node),
        })),
    onEvent: (e) =>
      state.record({
        attendee: e.user,
        kind: `ssh-${e.kind}`,
        text: `ssh ${e.kind}${e.node ? ` ${e.node}` : ''}`,
      }),
  });
  const server = await startServer({
    workshop,
    hub,
    listen,
    port,
    tls,
    sshPort: () => gateway.port,
    gatewayKey: () => gateway.hostKey,
    assets: assetsOf(terminal.TERMINAL_ASSETS),
    topology: await graphOf(lab, 'svg'),
  });
  const origin = `${server.scheme}://${urlHost(listen)}:${server.port}`;
  const attendees = state.attendees().map((a) => ({
    name: a.name,
    status: a.status,
    url: `${origin}/a/${a.token}/`,
    sshUser: a.name,
    sshPort: gateway.port,
    privateKey: files(a.placement.dir).userKey,
  }));
  const instructor = `${origin}/i/${state.instructorToken}/`;
  if (opts.json)
    console.log(
      JSON.stringify({
        ok: true,
        lab: labName,
        instructor,
        listen,
        port: server.port,
        sshPort: gateway.port,
        attendees,
      }),
    );
  else {
    console.log(
      `${labName}: a workshop of ${attendees.length}, served on ${origin} (SSH gateway: port ${gateway.port})`,
    );
    console.log(`  instructor:  ${instructor}`);
    for (const a of attendees)
      console.log(`  ${a.name.padEnd(12)} ${a.url}${a.status === 'up' ? '' : `   (${a.status})`}`);
    console.log(
      `Ctrl-C stops serving and leaves the instances up (lab serve adopts them again, same links); the dashboard's "end the workshop" removes them (or: lab down ${labName} --instances ${count}${prefix === DEFAULT_PREFIX ? '' : ` --prefix ${prefix}`}).`,
    );
  }

  const health = setInterval(() => void workshop.refreshHealth(), HEALTH_EVERY_MS);
  void workshop.refreshHealth();
  // until Ctrl-C or SIGTERM, or the workshop's end (then a moment for the pages to hear of it)
  await new Promise<void>((resolve) => {
    if (signal.aborted) return resolve();
    signal.addEventListener('abort', () => resolve(), { once: true });
    state.subscribe((c) => {
      if (c.kind === 'ended') setTimeout(resolve, 1000);
    });
  });
  clearInterval(health);
  stopping.abort();
  await Promise.allSettled([server.close(), gateway.close(), hub.close()]);
  workshop.close();
  if (!opts.json)
    say(
      signal.aborted
        ? `stopped serving (${String(signal.reason)}); the instances stay up`
        : 'the workshop has ended',
    );
}
