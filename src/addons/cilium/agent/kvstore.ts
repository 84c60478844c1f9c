// A small etcd v3 client over etcd's own JSON gateway (/v3/kv, /v3/watch, /v3/lease), with node:http
// only: the agent runs on every node, and a gRPC client would cost it ~30 MB and 150 ms to load.
import { request } from 'node:http';

export interface KeyValue {
  key: string;
  value: string;
  lease?: string;
}

export type WatchEvent = { type: 'put'; kv: KeyValue } | { type: 'delete'; key: string };

const b64 = (s: string) => Buffer.from(s).toString('base64');
const unb64 = (s: string | undefined) => (s ? Buffer.from(s, 'base64').toString() : '');

/** The end of the range covering every key that starts with prefix (etcd's range_end convention). */
export function prefixEnd(prefix: string): string {
  const bytes = Buffer.from(prefix);
  for (let i = bytes.length - 1; i >= 0; i--) {
    if (bytes[i] < 0xff) {
      bytes[i]++;
      return bytes.subarray(0, i + 1).toString();
    }
  }
  return '\0';
}

export class Kvstore {
  private readonly url: URL;

  constructor(endpoint: string) {
    this.url = new URL(endpoint);
  }

  get endpoint(): string {
    return this.url.origin;
  }

  /** One JSON request; rejects on a connection error, a timeout or an error status. */
  call<T>(path: string, body: object, timeoutMs = 3000): Promise<T> {
    return new Promise((resolve, reject) => {
      const req = request(
        new URL(path, this.url),
        { method: 'POST', timeout: timeoutMs, headers: { 'content-type': 'application/json' } },
        (res) => {
          let data = '';
          res.setEncoding('utf8');
          res.on('data', (d) => {
            data += d;
          });
          res.on('end', () => {
            if ((res.statusCode ?? 500) >= 300)
              return reject(new Error(`${this.endpoint}${path}: ${res.statusCode} ${data.trim()}`));
            try {
              resolve(JSON.parse(data) as T);
            } catch {
              reject(new Error(`${this.endpoint}${path}: not JSON: ${data.slice(0, 200)}`));
            }
          });
        },
      );
      req.on('timeout', () => req.destroy(new Error(`${this.endpoint}${path}: timed out`)));
      req.on('error', reject);
      req.end(JSON.stringify(body));
    });
  }

  async range(prefix: string): Promise<{ revision: number; kvs: KeyValue[] }> {
    const r = await this.call<{
      header: { revision: string };
      kvs?: { key: string; value?: string; lease?: string }[];
    }>('/v3/kv/range', { key: b64(prefix), range_end: b64(prefixEnd(prefix)) });
    return {
      revision: Number(r.header.revision),
      kvs: (r.kvs ?? []).map((kv) => ({ key: unb64(kv.key), value: unb64(kv.value), lease: kv.lease })),
    };
  }

  async get(key: string): Promise<string | undefined> {
    const r = await this.call<{ kvs?: { value?: string }[] }>('/v3/kv/range', { key: b64(key) });
    return r.kvs?.length ? unb64(r.kvs[0].value) : undefined;
  }

  async put(key: string, value: string, lease?: string): Promise<void> {
    await this.call('/v3/kv/put', { key: b64(key), value: b64(value), ...(lease ? { lease } : {}) });
  }

  async delete(key: string): Promise<void> {
    await this.call('/v3/kv/deleterange', { key: b64(key) });
  }

  async grant(ttlSeconds: number): Promise<string> {
    return (await this.call<{ ID: string }>('/v3/lease/grant', { TTL: ttlSeconds })).ID;
  }

  /** False when the lease has expired (etcd answers TTL 0 or nothing). */
  async keepAlive(lease: string): Promise<boolean> {
    const r = await this.call<{ result?: { TTL?: string } }>('/v3/lease/keepalive', { ID: lease });
    return Number(r.result?.TTL ?? 0) > 0;
  }

  async revoke(lease: string, timeoutMs = 3000): Promise<void> {
    await this.call('/v3/lease/revoke', { ID: lease }, timeoutMs);
  }

  /** Waits until the store answers, retrying every 100 ms for up to timeoutMs. */
  async ready(timeoutMs: number): Promise<void> {
    const until = Date.now() + timeoutMs;
    for (;;) {
      try {
        await this.call('/v3/kv/range', { key: b64('health') }, 1000);
        return;
      } catch (e) {
        if (Date.now() > until)
          throw new Error(`the kvstore at ${this.endpoint} does not answer: ${(e as Error).message}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  }

  /**
   * Follows every key under prefix: `sync` gets the whole set first (and again after a reconnect),
   * then `event` each change as etcd streams it. Never polls: one long-lived watch stream.
   */
  follow(
    prefix: string,
    handlers: { sync(kvs: KeyValue[]): void; event(e: WatchEvent): void; error?(e: Error): void },
  ): { close(): void } {
    let closed = false;
    let current: { destroy(): void } | undefined;
    const start = async (): Promise<void> => {
      if (closed) return;
      try {
        const { revision, kvs } = await this.range(prefix);
        handlers.sync(kvs);
        // the stream only ends in error: a watch is never done
        await new Promise<void>((_resolve, reject) => {
          const req = request(
            new URL('/v3/watch', this.url),
            { method: 'POST', headers: { 'content-type': 'application/json' } },
            (res) => {
              let buf = '';
              res.setEncoding('utf8');
              res.on('data', (d) => {
                buf += d;
                let nl = buf.indexOf('\n');
                while (nl >= 0) {
                  const line = buf.slice(0, nl).trim();
                  buf = buf.slice(nl + 1);
                  nl = buf.indexOf('\n');
                  if (line) this.dispatch(line, handlers);
                }
              });
              res.on('end', () => reject(new Error('the watch stream ended')));
              res.on('error', reject);
            },
          );
          current = req;
          req.on('error', reject);
          req.end(
            JSON.stringify({
              create_request: {
                key: b64(prefix),
                range_end: b64(prefixEnd(prefix)),
                start_revision: String(revision + 1),
              },
            }),
          );
        });
      } catch (e) {
        if (closed) return;
        handlers.error?.(e as Error);
        // the store went away or restarted: start over with a fresh list, a little later
        setTimeout(() => void start(), 200);
      }
    };
    void start();
    return {
      close() {
        closed = true;
        current?.destroy();
      },
    };
  }

  private dispatch(line: string, handlers: { event(e: WatchEvent): void }): void {
    const msg = JSON.parse(line) as {
      result?: { events?: { type?: string; kv: { key: string; value?: string; lease?: string } }[] };
      error?: { message: string };
    };
    if (msg.error) throw new Error(msg.error.message);
    for (const ev of msg.result?.events ?? []) {
      const key = unb64(ev.kv.key);
      if (ev.type === 'DELETE') handlers.event({ type: 'delete', key });
      else handlers.event({ type: 'put', kv: { key, value: unb64(ev.kv.value), lease: ev.kv.lease } });
    }
  }
}
