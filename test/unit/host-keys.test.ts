// The nodes' sshd host keys (ECDSA P-256, keys.ts): OpenSSH reads the private key and derives the
// public key lab pins, and ssh2 signs with it and verifies against that public key, for a thousand
// fresh keys (a private scalar with its top bit set, or a leading zero byte, is encoded as an mpint).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { generateHostKeyPair, publicBlobOf } from '../../src/transport/keys.js';

const { utils } = createRequire(import.meta.url)('ssh2') as typeof import('ssh2');
const dir = mkdtempSync(join(tmpdir(), 'lab-host-keys-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The private key's fields after its type, as the openssh-key-v1 format lays them out. */
function privateFields(pem: string): Buffer[] {
  const body = Buffer.from(pem.replace(/-----[^-]+-----/g, '').replace(/\s/g, ''), 'base64');
  let at = 'openssh-key-v1\0'.length;
  const next = () => {
    const len = body.readUInt32BE(at);
    const out = body.subarray(at + 4, at + 4 + len);
    at += 4 + len;
    return out;
  };
  next(); // cipher
  next(); // kdf
  next(); // kdf options
  at += 4; // one key
  next(); // public blob
  const secret = next();
  const fields: Buffer[] = [];
  let i = 8; // the two check words
  while (i + 4 <= secret.length) {
    const len = secret.readUInt32BE(i);
    if (i + 4 + len > secret.length) break;
    fields.push(secret.subarray(i + 4, i + 4 + len));
    i += 4 + len;
  }
  return fields; // type, curve, point, scalar, comment
}

describe('a node host key', () => {
  it('is read by OpenSSH, which derives the public key lab pins', () => {
    for (let i = 0; i < 5; i++) {
      const key = generateHostKeyPair(`host-${i}`);
      const file = join(dir, `key${i}`);
      writeFileSync(file, key.privateKey, { mode: 0o600 });
      const derived = execFileSync('ssh-keygen', ['-y', '-f', file], { encoding: 'utf8' }).trim();
      expect(derived.split(' ').slice(0, 2)).toEqual(key.publicKey.split(' ').slice(0, 2));
      expect(key.publicKey.startsWith('ecdsa-sha2-nistp256 ')).toBe(true);
    }
  });

  it('signs what its public key verifies, and encodes its scalar as SSH does, a thousand times', () => {
    let topBitSet = 0;
    for (let i = 0; i < 1000; i++) {
      const key = generateHostKeyPair('host');
      const parsed = utils.parseKey(key.privateKey);
      if (parsed instanceof Error) throw parsed;
      expect(parsed.type).toBe('ecdsa-sha2-nistp256');
      expect(parsed.getPublicSSH().equals(publicBlobOf(key.publicKey))).toBe(true);
      const data = Buffer.from(`exchange hash ${i}`);
      const signature = parsed.sign(data);
      if (signature instanceof Error) throw signature;
      const pub = utils.parseKey(key.publicKey);
      if (pub instanceof Error) throw pub;
      expect(pub.verify(data, signature)).toBe(true);
      const scalar = privateFields(key.privateKey)[3];
      // an mpint: no leading zero byte unless the next byte's top bit is set
      if (scalar[0] === 0) expect(scalar[1] & 0x80).toBe(0x80);
      else expect(scalar[0] & 0x80).toBe(0);
      if (scalar[0] === 0) topBitSet++;
    }
    expect(topBitSet, 'about half the scalars have their top bit set').toBeGreaterThan(300);
  });

  it('is refused by publicBlobOf in a form it does not know', () => {
    expect(() => publicBlobOf('ssh-rsa AAAAB3NzaC1yc2E host')).toThrow(/ed25519 or ECDSA P-256/);
  });
});
