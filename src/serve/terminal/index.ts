// The browser terminal: one WebSocket bridged to one SSH shell (a pty) on a node, through the route
// guard and the node's pinned host key (gateway/node-shell.ts, transport/ssh.ts). Sockets attached
// under the same key share one shell: the attendee's tab(s) type into it, a read-only viewer (the
// instructor) sees the same output and never sends a byte to it.
//
// Wire protocol on the socket:
//   browser -> server  binary frame: keystrokes (sent to the shell as they are)
//                      text frame `{"resize":{"cols":C,"rows":R}}` (JSON, first char `{`): resize the pty;
//                      any other text frame: keystrokes. A viewer's frames are all dropped.
//   server -> browser  binary frames: the terminal's output (a viewer joining late first gets the
//                      last 64 KiB). The socket closes when the shell ends (1000), when the node
//                      cannot be reached (1011, said in the output first), or when it falls too far
//                      behind as a viewer (1013).
// The page loads TERMINAL_ASSETS and calls labTerminal.open(element, url, { readOnly }) (or marks an
// element with data-terminal-url): see browser/terminal.js.
import type { WebSocket } from 'ws';
import type { SshTarget } from '../../transport/ssh.js';
import { TerminalSession } from './session.js';

export { TERMINAL_ASSETS } from './assets.js';

export interface TerminalHub {
  /** Bridges an accepted WebSocket to a shell on target (read-only viewers get output, never input). */
  attach(
    ws: WebSocket,
    session: {
      key: string;
      target: SshTarget;
      readOnly: boolean;
      /** The instance's management link (InstanceRecord.link): the route guard checks the node's address against it. */
      link: string;
      /** Why the node is down, with what to do (undefined: it looks up), asked before connecting: an
       * SSH connection to a node that is down only times out, seconds later. */
      down?: () => Promise<string | undefined>;
    },
  ): void;
  /** Sessions open now, by key (for the dashboard and tests). */
  sessions(): string[];
  close(): Promise<void>;
}

export function createTerminalHub(): TerminalHub {
  const sessions = new Map<string, TerminalSession>();
  let closed = false;
  return {
    attach(ws, { key, target, readOnly, link, down }) {
      if (closed) {
        ws.close(1001, 'the workshop is over');
        return;
      }
      let s = sessions.get(key);
      if (!s || s.isEnded) {
        const made = new TerminalSession(
          key,
          target,
          link,
          () => {
            if (sessions.get(key) === made) sessions.delete(key);
          },
          down,
        );
        sessions.set(key, made);
        s = made;
      }
      s.add(ws, readOnly);
    },
    sessions: () => [...sessions.keys()],
    async close() {
      closed = true;
      for (const s of [...sessions.values()]) s.end(1001, 'the workshop is over');
    },
  };
}
