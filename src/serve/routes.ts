// The workshop server's URLs. Every page, stream, action and socket of an attendee sits under
// /a/TOKEN/, the instructor's under /i/TOKEN/; the static files (no secret in them) under /assets/
// (the pages') and /terminal/ (the browser terminal's).
// route() only parses: whose token it is, and whether the names exist, is the server's to judge.

export type Route =
  | { kind: 'asset'; path: string }
  | { kind: 'attendee'; token: string; what: AttendeeWhat; step?: string; node?: string }
  | { kind: 'instructor'; token: string; what: InstructorWhat; attendee?: string; node?: string };

export type AttendeeWhat =
  | 'page'
  | 'state'
  | 'events'
  | 'check'
  | 'run'
  | 'topology'
  | 'key'
  | 'known-hosts'
  | 'ssh-config'
  | 'terminal';

export type InstructorWhat =
  | 'page'
  | 'state'
  | 'events'
  | 'check'
  | 'check-all'
  | 'reset'
  | 'add'
  | 'message'
  | 'end'
  | 'view';

/** Names as the lab allows them (steps, nodes, instances), and tokens: nothing else reaches a handler. */
const NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/;
const TOKEN = /^[0-9a-f]{32}$/;

export function route(method: string, url: string, upgrade = false): Route | undefined {
  const path = url.split('?')[0];
  const parts = path.split('/').slice(1);
  if (parts.some((p) => p !== '' && !NAME.test(p))) return undefined;
  const [area, token, what, a, b, ...rest] = parts;
  if (rest.length) return undefined;
  const get = method === 'GET' && !upgrade;
  const post = method === 'POST' && !upgrade;
  if ((area === 'assets' || area === 'terminal') && get && token && what === undefined)
    return { kind: 'asset', path: `/${area}/${token}` };
  if ((area !== 'a' && area !== 'i') || !token || !TOKEN.test(token)) return undefined;
  if (area === 'a') {
    const at = (w: AttendeeWhat, extra: { step?: string; node?: string } = {}): Route => ({
      kind: 'attendee',
      token,
      what: w,
      ...extra,
    });
    if (upgrade)
      return what === 'terminal' && a && b === undefined && method === 'GET'
        ? at('terminal', { node: a })
        : undefined;
    if (get && (what === '' || what === undefined) && a === undefined) return at('page');
    if (get && a === undefined) {
      const simple: Record<string, AttendeeWhat> = {
        state: 'state',
        events: 'events',
        'topology.svg': 'topology',
        id_ed25519: 'key',
        known_hosts: 'known-hosts',
        'ssh-config': 'ssh-config',
      };
      return what && simple[what] ? at(simple[what]) : undefined;
    }
    if (post && (what === 'check' || what === 'run') && a && b === undefined) return at(what, { step: a });
    return undefined;
  }
  const ins = (w: InstructorWhat, extra: { attendee?: string; node?: string } = {}): Route => ({
    kind: 'instructor',
    token,
    what: w,
    ...extra,
  });
  if (upgrade)
    return what === 'view' && a && b && method === 'GET' ? ins('view', { attendee: a, node: b }) : undefined;
  if (get && (what === '' || what === undefined) && a === undefined) return ins('page');
  if (get && (what === 'state' || what === 'events') && a === undefined) return ins(what);
  if (post && what === 'check' && a === undefined) return ins('check-all');
  if (post && (what === 'check' || what === 'reset') && a && b === undefined)
    return ins(what, { attendee: a });
  if (post && (what === 'add' || what === 'message' || what === 'end') && a === undefined) return ins(what);
  return undefined;
}
