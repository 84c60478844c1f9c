// The plain login's menu: the attendee's nodes on the pty, pick one by number or name. The gateway
// is the terminal here (the client's pty sends raw keys), so it echoes and edits the line itself.
import type { ServerChannel } from 'ssh2';
import { printableLine } from '../../printable.js';

const MAX_LINE = 64;

/** The menu's text: one numbered line per node (CRLF: the client's pty is raw). */
export function menuText(user: string, nodes: string[]): string {
  const lines = nodes.map((n, i) => `  ${String(i + 1).padStart(2)}) ${printableLine(n)}`);
  return [
    `${user}: your nodes`,
    ...(lines.length ? lines : ['  (none yet: ask your instructor)']),
    '',
    `Pick one (number or name), q to leave. Next time: ssh -t ... ${user}@this-host NODE`,
  ].join('\r\n');
}

/** Which node an answer names: its number in the list or its name; undefined when none. */
export function nodeOfAnswer(answer: string, nodes: string[]): string | undefined {
  const a = answer.trim();
  if (/^\d+$/.test(a)) return nodes[Number(a) - 1];
  return nodes.find((n) => n === a);
}

/** Shows the menu and resolves with the picked node, or undefined when the attendee leaves. */
export function pickNode(
  channel: ServerChannel,
  user: string,
  nodes: () => string[],
): Promise<string | undefined> {
  return new Promise((resolve) => {
    let line = '';
    const prompt = () => channel.write('\r\n> ');
    const done = (node: string | undefined) => {
      channel.off('data', onData);
      channel.pause(); // keys typed while the node's shell opens wait for it (the bridge resumes)
      channel.off('close', onClose);
      resolve(node);
    };
    const onClose = () => done(undefined);
    const onData = (data: Buffer) => {
      for (let i = 0; i < data.length; i++) {
        const byte = data[i];
        if (byte === 0x03 || byte === 0x04) return done(undefined); // Ctrl-C, Ctrl-D
        if (byte === 0x0d || byte === 0x0a) {
          channel.write('\r\n');
          if (/^\s*q(uit)?\s*$/i.test(line)) return done(undefined);
          const listed = nodes();
          const node = nodeOfAnswer(line, listed);
          if (node) {
            done(node);
            // what was typed after the answer (a paste, a fast typist) goes to the node's shell
            if (i + 1 < data.length) channel.unshift(data.subarray(i + 1));
            return;
          }
          if (line.trim()) channel.write(`no node '${printableLine(line.trim())}' here\r\n`);
          channel.write(menuText(user, listed));
          line = '';
          prompt();
        } else if (byte === 0x7f || byte === 0x08) {
          if (line) {
            line = line.slice(0, -1);
            channel.write('\b \b');
          }
        } else if (byte >= 0x20 && byte < 0x7f && line.length < MAX_LINE) {
          line += String.fromCharCode(byte);
          channel.write(Buffer.from([byte]));
        }
      }
    };
    channel.on('data', onData);
    channel.on('close', onClose);
    channel.write(menuText(user, nodes()));
    prompt();
  });
}
