// A command's end over SSH is its exit status: a channel that a background process keeps open is read
// a short while longer, then closed, and said to have been held.
import { EventEmitter } from 'node:events';
import type { ClientChannel } from 'ssh2';
import { describe, expect, it } from 'vitest';
import { type ChannelEnd, DRAIN_MS, onChannelEnd } from '../../src/transport/channel-end.js';

class FakeChannel extends EventEmitter {
  closedByUs = 0;
  close() {
    this.closedByUs++;
    this.emit('close');
  }
}

const ending = (channel: FakeChannel) =>
  new Promise<ChannelEnd & { at: number }>((resolve) => {
    const t = Date.now();
    onChannelEnd(channel as unknown as ClientChannel, (end) => resolve({ ...end, at: Date.now() - t }));
  });

describe('onChannelEnd', () => {
  it('a channel that closes after the exit status: its code, not held', async () => {
    const c = new FakeChannel();
    const end = ending(c);
    c.emit('exit', 3);
    c.emit('close');
    expect(await end).toMatchObject({ code: 3, signal: null, heldOpen: false });
    expect(c.closedByUs).toBe(0);
  });

  it('a channel held open after the exit status ends DRAIN_MS later, closed by lab, once', async () => {
    const c = new FakeChannel();
    const end = ending(c);
    c.emit('exit', 0);
    const e = await end;
    expect(e).toMatchObject({ code: 0, heldOpen: true });
    expect(e.at).toBeGreaterThanOrEqual(DRAIN_MS - 20);
    expect(e.at).toBeLessThan(DRAIN_MS + 2000);
    expect(c.closedByUs).toBe(1);
  });

  it('output closing within DRAIN_MS of the exit status is no held channel', async () => {
    const c = new FakeChannel();
    let calls = 0;
    onChannelEnd(c as unknown as ClientChannel, () => calls++);
    c.emit('exit', 0);
    await new Promise((r) => setTimeout(r, DRAIN_MS / 3));
    c.emit('close');
    await new Promise((r) => setTimeout(r, DRAIN_MS));
    expect(calls).toBe(1);
    expect(c.closedByUs).toBe(0);
  });

  it('a signal is kept as sshd sent it', async () => {
    const c = new FakeChannel();
    const end = ending(c);
    c.emit('exit', null, 'SIGKILL');
    c.emit('close');
    expect(await end).toMatchObject({ code: null, signal: 'SIGKILL', heldOpen: false });
  });

  it('a channel that closes without an exit status ends with no code', async () => {
    const c = new FakeChannel();
    const end = ending(c);
    c.emit('close');
    expect(await end).toMatchObject({ code: null, heldOpen: false });
  });
});
