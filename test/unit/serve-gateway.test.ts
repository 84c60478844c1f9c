// The gateway's parts that need no lab: whose key logs in (a signature proves it, not the key's
// blob alone), its host key file, the menu's answers, and the laptop's OpenSSH config.
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PublicKeyAuthContext } from 'ssh2';
import ssh2 from 'ssh2';
import { afterAll, describe, expect, it } from 'vitest';
import { judgeKey, publicKeyOf, sameKey } from '../../src/serve/gateway/auth.js';
import { attendeeSshConfig } from '../../src/serve/gateway/client-config.js';
import { loadOrCreateHostKey } from '../../src/serve/gateway/host-key.js';
import { menuText, nodeOfAnswer } from '../../src/serve/gateway/menu.js';
import { generateKeyPair } from '../../src/transport/keys.js';

const alice = generateKeyPair('alice');
const bob = generateKeyPair('bob');
const blobOf = (line: string) => Buffer.from(line.split(' ')[1], 'base64');
/** What ssh2 hands the server for a publickey attempt, signed with `signer` when given. */
const attempt = (offered: string, signer?: string, data = Buffer.from('session id and request')) =>
  ({
    method: 'publickey',
    key: { algo: 'ssh-ed25519', data: blobOf(offered) },
    ...(signer
      ? {
          blob: data,
          signature: (ssh2.utils.parseKey(signer) as ssh2.ParsedKey).sign(data),
          hashAlgo: undefined,
        }
      : {}),
  }) as unknown as PublicKeyAuthContext;

describe('gateway login', () => {
  it("accepts the attendee's key signed by its private half", () => {
    expect(judgeKey(alice.publicKey, attempt(alice.publicKey, alice.privateKey))).toBe('accept');
  });

  it('answers "the key would do" unsigned (OpenSSH signs next), for the right key only', () => {
    expect(judgeKey(alice.publicKey, attempt(alice.publicKey))).toBe('accept');
    expect(judgeKey(alice.publicKey, attempt(bob.publicKey))).toBe('reject');
  });

  it("refuses the attendee's public key signed by another key: holding the blob proves nothing", () => {
    expect(judgeKey(alice.publicKey, attempt(alice.publicKey, bob.privateKey))).toBe('reject');
    const forged = attempt(alice.publicKey, alice.privateKey);
    forged.signature![10] ^= 1;
    expect(judgeKey(alice.publicKey, forged)).toBe('reject');
  });

  it('refuses another key, another algorithm, an unknown user and a damaged authorized key', () => {
    expect(judgeKey(alice.publicKey, attempt(bob.publicKey, bob.privateKey))).toBe('reject');
    expect(sameKey(alice.publicKey, { algo: 'ssh-rsa', data: blobOf(alice.publicKey) })).toBe(false);
    expect(sameKey(alice.publicKey, { algo: 'ssh-ed25519', data: blobOf(alice.publicKey).subarray(1) })).toBe(
      false,
    );
    expect(judgeKey(undefined, attempt(alice.publicKey, alice.privateKey))).toBe('reject');
    expect(judgeKey('ssh-ed25519 not-base64!', attempt(alice.publicKey, alice.privateKey))).toBe('reject');
  });

  it("derives the attendee's authorized key from their instance's private key", () => {
    expect(publicKeyOf(alice.privateKey)).toBe(alice.publicKey.split(' ').slice(0, 2).join(' '));
    expect(() => publicKeyOf('nonsense')).toThrow(/not a private key/);
  });
});

describe("gateway's host key", () => {
  const dir = mkdtempSync(join(tmpdir(), 'lab-gw-key-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('is made once (ed25519, 0600, in a folder of its own) and read back the same', () => {
    const path = join(dir, 'gw', 'host_ed25519');
    const made = loadOrCreateHostKey(path);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(made.publicKey).toMatch(/^ssh-ed25519 AAAA/);
    expect(loadOrCreateHostKey(path).publicKey).toBe(made.publicKey.split(' ').slice(0, 2).join(' '));
    expect(readFileSync(path, 'utf8')).toMatch(/BEGIN OPENSSH PRIVATE KEY/);
  });

  it('refuses a key others can read', () => {
    const path = join(dir, 'gw', 'host_ed25519');
    chmodSync(path, 0o644);
    expect(() => loadOrCreateHostKey(path)).toThrow(/readable by others/);
  });
});

describe("gateway's menu", () => {
  const nodes = ['router', 'client'];
  it('takes a number or a name, nothing else', () => {
    expect(nodeOfAnswer('1', nodes)).toBe('router');
    expect(nodeOfAnswer(' client ', nodes)).toBe('client');
    expect(nodeOfAnswer('3', nodes)).toBeUndefined();
    expect(nodeOfAnswer('0', nodes)).toBeUndefined();
    expect(nodeOfAnswer('rout', nodes)).toBeUndefined();
    expect(nodeOfAnswer('', nodes)).toBeUndefined();
  });
  it("shows node names as text, never a terminal's escape", () => {
    expect(menuText('attendee-1', ['r\x1b]52;c;x\x07'])).not.toMatch(/\x1b/);
  });
});

describe("attendee's OpenSSH config", () => {
  const targets = [
    { node: 'router', hostKey: 'ssh-ed25519 AAAArouter host-router' },
    { node: 'client', hostKey: 'ssh-ed25519 AAAAclient host-client' },
  ];
  const base = {
    user: 'attendee-3',
    gatewayHost: 'workshop.example.org',
    gatewayPort: 2222,
    gatewayHostKey: 'ssh-ed25519 AAAAgateway',
    targets,
  };

  it('names every node behind the gateway, pins every host key under an alias of its own', () => {
    const { config, knownHosts } = attendeeSshConfig(base);
    expect(config).toMatch(
      /Host attendee-3\.gateway\n {2}HostName workshop\.example\.org\n {2}Port 2222\n {2}User attendee-3\n/,
    );
    expect(config).toMatch(
      /Host router\n {2}HostName router\n {2}User root\n {2}ProxyJump attendee-3\.gateway\n/,
    );
    expect(config).toContain('HostKeyAlias attendee-3.client');
    expect(config).toContain('IdentityFile ~/.ssh/lab-attendee-3\n');
    expect(config).toContain('UserKnownHostsFile ~/.ssh/lab-attendee-3.known_hosts\n');
    expect(config.match(/StrictHostKeyChecking yes/g)).toHaveLength(3);
    expect(knownHosts).toBe(
      'attendee-3.gateway ssh-ed25519 AAAAgateway\n' +
        'attendee-3.router ssh-ed25519 AAAArouter\n' +
        'attendee-3.client ssh-ed25519 AAAAclient\n',
    );
  });

  it('refuses a value that would add a line or an option to the config, rather than quote it', () => {
    expect(() => attendeeSshConfig({ ...base, gatewayHost: 'h\n  ProxyCommand touch /tmp/x' })).toThrow(
      /cannot go into an OpenSSH config/,
    );
    expect(() =>
      attendeeSshConfig({ ...base, targets: [{ node: 'r ProxyCommand=x', hostKey: 'ssh-ed25519 AAAA' }] }),
    ).toThrow(/node/);
    expect(() => attendeeSshConfig({ ...base, identityFile: '~/my key' })).toThrow(/identity file/);
  });
});
