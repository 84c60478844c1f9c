// Joins the attendee's channel on the gateway to a channel on their node, both ways, with the
// streams' own backpressure (pipe), and the node's exit status passed back as sshd would.
import type { ServerChannel } from 'ssh2';
import type { NodeChannel } from './node-shell.js';

export function bridge(client: ServerChannel, node: NodeChannel): void {
  const ch = node.channel;
  let exit: { code?: number | null; signal?: string } = {};
  ch.on('exit', (code: number | null, signal?: string) => {
    exit = { code, signal };
  });
  ch.pipe(client, { end: false });
  ch.stderr.pipe(client.stderr, { end: false });
  client.pipe(ch); // the attendee's EOF reaches the node (a command reading stdin ends)
  ch.on('close', () => {
    if (exit.signal) client.exit(exit.signal.replace(/^SIG/, ''), false, '');
    else client.exit(exit.code ?? 255);
    client.end();
  });
  client.on('close', () => node.close());
  ch.on('error', () => client.close());
  client.on('error', () => node.close());
}
