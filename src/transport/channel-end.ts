// When a command run over an SSH exec channel has ended. sshd sends the command's exit status when the
// shell exits, but keeps the channel open while anything still holds its output: `sleep 300 & echo ok`
// would keep a check or a step's command waiting 300 s (OpenSSH's own client waits so too). The
// command's end is its exit status; output already on its way is read for a short while after it.
import type { ClientChannel } from 'ssh2';

/** How long output is still read after the exit status, when the channel stays open. */
export const DRAIN_MS = 300;

/** What a channel that outlived its command's exit is said as, at the end of its stderr. */
export const HELD_OUTPUT_NOTE = `[lab: the command exited, but a process it started in the background still holds its output: lab stopped reading ${DRAIN_MS} ms after the exit and left that process running (redirect its output, cmd >/dev/null 2>&1 &, to end quietly)]`;

export interface ChannelEnd {
  code: number | null;
  /** The signal that ended the command (SIGKILL ...), if one did. */
  signal: string | null;
  /** The channel stayed open after the exit status: a background process holds the command's output. */
  heldOpen: boolean;
}

/** Calls done once: when the channel closes, or DRAIN_MS after the exit status if it does not (the
 * channel is then closed: the background process goes on, no longer read). */
export function onChannelEnd(channel: ClientChannel, done: (end: ChannelEnd) => void): void {
  let code: number | null = null;
  let signal: string | null = null;
  let ended = false;
  let drain: NodeJS.Timeout | undefined;
  const end = (heldOpen: boolean) => {
    if (ended) return;
    ended = true;
    clearTimeout(drain);
    done({ code, signal, heldOpen });
  };
  channel.on('exit', (c: number | null, s?: string) => {
    code = c;
    signal = s ?? null;
    drain = setTimeout(() => {
      end(true);
      channel.close();
    }, DRAIN_MS);
  });
  channel.on('close', () => end(false));
}
