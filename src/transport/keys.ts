// ed25519 keys in OpenSSH's formats, made with node:crypto (ssh2's generator drops a leading zero
// byte of about one public key in 270, and importing ssh2 costs 50 ms on the way to starting daemons).
import { createPrivateKey, createPublicKey, randomBytes } from 'node:crypto';

const string = (b: Buffer | string) => {
  const data = typeof b === 'string' ? Buffer.from(b) : b;
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  return Buffer.concat([len, data]);
};
const uint32 = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  return b;
};

/** The public key blob: what an SSH server presents, and what a known_hosts line holds in base64. */
export function publicBlobOf(publicKeyLine: string): Buffer {
  const [type, b64] = publicKeyLine.trim().split(/\s+/);
  if (type !== 'ssh-ed25519' || !b64)
    throw new Error(`not an OpenSSH ed25519 public key: ${publicKeyLine.slice(0, 40)}`);
  return Buffer.from(b64, 'base64');
}

/** PKCS #8 of an ed25519 key before its 32-byte seed (RFC 8410). */
const PKCS8_ED25519 = Buffer.from('302e020100300506032b657004220420', 'hex');

/** A fresh ed25519 key pair: private key in openssh-key-v1 format, public key as an authorized_keys line.
 * The seed is random bytes and the public key derived from it, not generateKeyPairSync: on Node 20 a
 * garbage collection during its key export ran an earlier key job's destructor, which waited on a lock
 * forever (lab up hung in its network phase, the main thread in ~KeyGenJob, seen writing six nodes'
 * host keys in a row under --semi-space-growth-factor=1). */
export function generateKeyPair(comment: string): { privateKey: string; publicKey: string } {
  const seed = randomBytes(32);
  const privateKey = createPrivateKey({
    key: Buffer.concat([PKCS8_ED25519, seed]),
    format: 'der',
    type: 'pkcs8',
  });
  // SPKI of ed25519: a 12-byte header, then the 32-byte public key
  const pub = createPublicKey(privateKey).export({ format: 'der', type: 'spki' }).subarray(12);
  const blob = Buffer.concat([string('ssh-ed25519'), string(pub)]);
  const check = randomBytes(4);
  let secret = Buffer.concat([
    check,
    check,
    string('ssh-ed25519'),
    string(pub),
    string(Buffer.concat([seed, pub])),
    string(comment),
  ]);
  // pad to the cipher block size (8 for "none") with 1, 2, 3, ...
  const pad = (8 - (secret.length % 8)) % 8;
  secret = Buffer.concat([secret, Buffer.from(Array.from({ length: pad }, (_, i) => i + 1))]);
  const body = Buffer.concat([
    Buffer.from('openssh-key-v1\0'),
    string('none'),
    string('none'),
    string(''),
    uint32(1),
    string(blob),
    string(secret),
  ]);
  const pem = body
    .toString('base64')
    .match(/.{1,70}/g)!
    .join('\n');
  return {
    privateKey: `-----BEGIN OPENSSH PRIVATE KEY-----\n${pem}\n-----END OPENSSH PRIVATE KEY-----\n`,
    publicKey: `ssh-ed25519 ${blob.toString('base64')} ${comment}`,
  };
}
