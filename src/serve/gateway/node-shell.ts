// A shell or command on one of an attendee's nodes, from the gateway (and the browser terminal):
// the route guard first, then SSH with the instance's key and the node's pinned host key.
import type { ClientChannel, PseudoTtyOptions } from 'ssh2';
import { verifyRoutedVia } from '../../transport/route-guard.js';
import { SshShell, type SshTarget } from '../../transport/ssh.js';

export interface NodeExit {
  code?: number | null;
  signal?: string;
}

export interface NodeChannel {
  channel: ClientChannel;
  /** The command's exit status or signal, once the node sent it (empty before). */
  exit(): NodeExit;
  /** Why the connection to the node failed after it opened (a keepalive timeout, a reset), if it did. */
  failure(): string | undefined;
  /** Ends the channel and the connection to the node. */
  close(): void;
}

/** Refuses unless the node's address leaves through the instance's own link (never the default route). */
export async function guardNode(target: SshTarget, link: string): Promise<void> {
  await verifyRoutedVia([target.host], link);
}

/** Opens a shell (command undefined) or runs a command on the node, with a pty when asked. */
export async function openNodeChannel(
  target: SshTarget,
  link: string,
  how: { pty?: PseudoTtyOptions; command?: string; connectTimeoutMs?: number; retry?: boolean },
): Promise<NodeChannel> {
  await guardNode(target, link);
  const shell = new SshShell(target, { connectTimeoutMs: how.connectTimeoutMs ?? 5000, retry: how.retry });
  try {
    const client = await shell.connect();
    let exit: NodeExit = {};
    const channel = await new Promise<ClientChannel>((resolve, reject) => {
      const done = (err: Error | undefined, ch: ClientChannel) => {
        if (err) return reject(err);
        // listened for here, not after the await: a quick command's exit status can come in the same
        // read as the channel's success, and was lost (the attendee got 255 and no word, under load)
        ch.on('exit', (code: number | null, signal?: string) => {
          exit = { code, signal };
        });
        resolve(ch);
      };
      if (how.command !== undefined) client.exec(how.command, { pty: how.pty ?? false }, done);
      else client.shell(how.pty ?? false, done);
    });
    let failure: string | undefined;
    client.on('error', (e: Error) => {
      failure ??= e.message;
    });
    channel.on('close', () => shell.close());
    return {
      channel,
      exit: () => exit,
      failure: () => failure,
      close: () => {
        channel.close();
        shell.close();
      },
    };
  } catch (e) {
    shell.close();
    throw e;
  }
}
