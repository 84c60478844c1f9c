// lab serve's places: the address and ports it listens on, and its certificate. Plain HTTP is for
// loopback only: the attendees' and the instructor's secrets travel in its URLs.
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { hostname } from 'node:os';
import { createSecureContext } from 'node:tls';
import { DefinitionError, PreflightError } from '../errors.js';

export function parsePort(flag: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const n = /^\d+$/.test(value.trim()) ? Number(value) : Number.NaN;
  if (!Number.isSafeInteger(n) || n > 65535)
    throw new DefinitionError(
      `${flag} ${value}: give a port number from 0 to 65535 (0: a free one, printed)`,
      {
        code: 'port-invalid',
      },
    );
  return n;
}

/** 127.0.0.0/8, ::1, localhost: the only places plain HTTP may listen (tokens travel in its URLs). */
export function isLoopback(address: string): boolean {
  if (address === 'localhost') return true;
  if (isIP(address) === 4) return address.startsWith('127.');
  if (isIP(address) === 6) return address === '::1' || /^::ffff:127\./i.test(address);
  return false;
}

/** The host name a URL printed for others should carry. */
export function urlHost(listen: string): string {
  const host = listen === '0.0.0.0' || listen === '::' ? hostname() : listen;
  return isIP(host) === 6 ? `[${host}]` : host;
}

export function readTls(cert?: string, key?: string): { cert: Buffer; key: Buffer } | undefined {
  if (!cert && !key) return undefined;
  if (!cert || !key)
    throw new DefinitionError('--tls-cert and --tls-key go together: give both (PEM files), or neither', {
      code: 'tls-invalid',
    });
  const read = (flag: string, file: string) => {
    try {
      return readFileSync(file);
    } catch (e) {
      throw new DefinitionError(
        `${flag} ${file}: cannot read it (${(e as NodeJS.ErrnoException).code ?? e})`,
        {
          code: 'tls-invalid',
        },
      );
    }
  };
  const tls = { cert: read('--tls-cert', cert), key: read('--tls-key', key) };
  try {
    createSecureContext(tls);
  } catch (e) {
    throw new DefinitionError(
      `--tls-cert/--tls-key: not a certificate and its key in PEM (${(e as Error).message})`,
      {
        code: 'tls-invalid',
      },
    );
  }
  return tls;
}

/** Refuses, before any instance is made, a port another program holds (0 is always free). */
export async function verifyPortFree(flag: string, listen: string, port: number): Promise<void> {
  if (port === 0) return;
  const { createServer } = await import('node:net');
  await new Promise<void>((resolve, reject) => {
    const probe = createServer();
    probe.once('error', (e: NodeJS.ErrnoException) =>
      reject(
        new PreflightError(
          `${flag} ${port}: ${listen}:${port} ${e.code === 'EADDRINUSE' ? 'is in use by another program' : `cannot be listened on (${e.code ?? e.message})`}`,
          { code: 'port-in-use', details: [`Choose another ${flag} (0: a free one).`] },
        ),
      ),
    );
    probe.listen(port, listen, () => probe.close(() => resolve()));
  });
}
