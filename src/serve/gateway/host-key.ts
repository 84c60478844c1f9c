// The gateway's own host key: ed25519, made once and kept, so that attendees' known_hosts stay valid
// across restarts of lab serve.
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import ssh2 from 'ssh2';
import { generateKeyPair } from '../../transport/keys.js';

export interface HostKey {
  privateKey: string;
  /** OpenSSH public key line (`ssh-ed25519 AAAA…`), what attendees pin. */
  publicKey: string;
}

/** Reads the key at path, or creates it (0600, its folder 0700) when missing. Refuses a key others can read. */
export function loadOrCreateHostKey(path: string): HostKey {
  let privateKey: string;
  try {
    privateKey = readFileSync(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    const made = generateKeyPair('lab-serve-gateway');
    try {
      writeFileSync(path, made.privateKey, { mode: 0o600, flag: 'wx' }); // wx: never over another's key
      return made;
    } catch (raced) {
      if ((raced as NodeJS.ErrnoException).code !== 'EEXIST') throw raced;
      privateKey = readFileSync(path, 'utf8');
    }
  }
  if (statSync(path).mode & 0o077)
    throw new Error(`the gateway's host key ${path} is readable by others: chmod 600 it, or remove it`);
  const parsed = ssh2.utils.parseKey(privateKey);
  if (parsed instanceof Error || parsed.type !== 'ssh-ed25519')
    throw new Error(
      `the gateway's host key ${path} is not an ed25519 private key: remove it to make a new one`,
    );
  return { privateKey, publicKey: `ssh-ed25519 ${parsed.getPublicSSH().toString('base64')}` };
}
