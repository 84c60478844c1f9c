// Joins the attendee's channel on the gateway to a channel on their node, both ways, with the
// streams' own backpressure (pipe), and the node's exit status passed back as sshd would. A session
// that ends without one is said in a line on stderr: an attendee never gets a bare 255.
import type { ServerChannel } from 'ssh2';
import { printableLine } from '../../printable.js';
import type { NodeChannel } from './node-shell.js';

export function bridge(client: ServerChannel, node: NodeChannel, name: string): void {
  const ch = node.channel;
  ch.pipe(client, { end: false });
  ch.stderr.pipe(client.stderr, { end: false });
  client.pipe(ch); // the attendee's EOF reaches the node (a command reading stdin ends)
  let error: string | undefined;
  ch.on('close', () => {
    const exit = node.exit();
    if (exit.signal) client.exit(exit.signal.replace(/^SIG/, ''), false, '');
    else if (typeof exit.code === 'number') client.exit(exit.code);
    else {
      const why = error ?? node.failure() ?? 'the node closed the session without an exit status';
      client.stderr.write(`lab: the session on ${name} ended: ${printableLine(why)}\r\n`);
      client.exit(255);
    }
    client.end();
  });
  client.on('close', () => node.close());
  ch.on('error', (e: Error) => {
    error ??= e.message;
    node.close(); // its 'close' above tells the attendee
  });
  client.on('error', () => node.close());
}
