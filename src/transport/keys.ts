// Keys in OpenSSH's formats, made with node:crypto (ssh2's generator drops a leading zero byte of about
// one public key in 270, and importing ssh2 costs 50 ms on the way to starting daemons): ed25519 for
// users, ECDSA P-256 for the nodes' sshd (see generateHostKeyPair).
import { createECDH, createPrivateKey, createPublicKey, randomBytes } from 'node:crypto';

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

/** Big-endian unsigned integer as SSH's mpint: no leading zero bytes, one where the top bit is set. */
const mpint = (b: Buffer) => {
  let i = 0;
  while (i < b.length && b[i] === 0) i++;
  const bare = b.subarray(i);
  return string(bare.length && bare[0] & 0x80 ? Buffer.concat([Buffer.from([0]), bare]) : bare);
};

const KEY_TYPES = ['ssh-ed25519', 'ecdsa-sha2-nistp256'] as const;

/** A public key line's kind and blob: what an SSH server presents, and what a known_hosts line holds in
 * base64. */
export function parsePublicKeyLine(publicKeyLine: string): {
  type: (typeof KEY_TYPES)[number];
  blob: Buffer;
} {
  const [type, b64] = publicKeyLine.trim().split(/\s+/);
  const known = KEY_TYPES.find((t) => t === type);
  if (!known || !b64)
    throw new Error(`not an OpenSSH ed25519 or ECDSA P-256 public key: ${publicKeyLine.slice(0, 40)}`);
  return { type: known, blob: Buffer.from(b64, 'base64') };
}

export const publicBlobOf = (publicKeyLine: string): Buffer => parsePublicKeyLine(publicKeyLine).blob;

/** An unencrypted openssh-key-v1 private key of one key: its public blob and its private fields. */
function opensshPrivateKey(type: string, blob: Buffer, fields: Buffer[], comment: string): string {
  const check = randomBytes(4);
  let secret = Buffer.concat([check, check, string(type), ...fields, string(comment)]);
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
  return `-----BEGIN OPENSSH PRIVATE KEY-----\n${pem}\n-----END OPENSSH PRIVATE KEY-----\n`;
}

/** A node sshd's host key: ECDSA P-256, which OpenSSH signs with OpenSSL. Its ed25519 is the reference
 * C code it bundles: measured by hand on a node, 14.5 ms of sshd's CPU a connection with an ed25519
 * host key, 10 with this one. Made by ECDH's generator, not generateKeyPairSync (see generateKeyPair). */
export function generateHostKeyPair(comment: string): { privateKey: string; publicKey: string } {
  const ecdh = createECDH('prime256v1');
  const q = ecdh.generateKeys(); // uncompressed point: 0x04, X, Y
  const type = 'ecdsa-sha2-nistp256';
  const blob = Buffer.concat([string(type), string('nistp256'), string(q)]);
  return {
    privateKey: opensshPrivateKey(
      type,
      blob,
      [string('nistp256'), string(q), mpint(ecdh.getPrivateKey())],
      comment,
    ),
    publicKey: `${type} ${blob.toString('base64')} ${comment}`,
  };
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
  return {
    privateKey: opensshPrivateKey(
      'ssh-ed25519',
      blob,
      [string(pub), string(Buffer.concat([seed, pub]))],
      comment,
    ),
    publicKey: `ssh-ed25519 ${blob.toString('base64')} ${comment}`,
  };
}
