// Who is logging in: public keys only, the key blob compared in constant time and its signature
// verified (a client may offer a key it does not hold: only the signature proves it).
import { timingSafeEqual } from 'node:crypto';
import type { PublicKeyAuthContext } from 'ssh2';
import ssh2 from 'ssh2';

/** The attendee's key, parsed once per line (attendees come and go; their lines rarely change). */
const parsedKeys = new Map<string, ssh2.ParsedKey | null>();
function parsedKey(line: string): ssh2.ParsedKey | null {
  let parsed = parsedKeys.get(line);
  if (parsed === undefined) {
    const p = ssh2.utils.parseKey(line);
    parsed = p instanceof Error ? null : p;
    if (parsedKeys.size > 1000) parsedKeys.clear();
    parsedKeys.set(line, parsed);
  }
  return parsed;
}

/** Whether the offered key is the authorized one (same algorithm, same blob, compared in constant time). */
export function sameKey(authorizedKey: string, offered: { algo: string; data: Buffer }): boolean {
  const key = parsedKey(authorizedKey);
  if (!key) return false;
  const blob = key.getPublicSSH();
  // the length is no secret (every ed25519 blob has the same); timingSafeEqual needs equal lengths
  return (
    offered.algo === key.type && offered.data.length === blob.length && timingSafeEqual(offered.data, blob)
  );
}

/**
 * 'accept' when the key is the attendee's and, if the client signed, the signature verifies (unsigned,
 * the client only asks whether the key would do: ssh2 answers so, and OpenSSH then signs); else 'reject'.
 */
export function judgeKey(authorizedKey: string | undefined, ctx: PublicKeyAuthContext): 'accept' | 'reject' {
  if (!authorizedKey || !sameKey(authorizedKey, ctx.key)) return 'reject';
  if (!ctx.signature) return 'accept'; // "would this key do?": ssh2 answers PK_OK, no login yet
  const key = parsedKey(authorizedKey)!;
  return ctx.blob && key.verify(ctx.blob, ctx.signature, ctx.hashAlgo) === true ? 'accept' : 'reject';
}

/** The authorized_keys line of a private key: the attendee logs into the gateway with their instance's key. */
export function publicKeyOf(privateKey: string): string {
  const parsed = ssh2.utils.parseKey(privateKey);
  if (parsed instanceof Error) throw new Error(`not a private key: ${parsed.message}`);
  return `${parsed.type} ${parsed.getPublicSSH().toString('base64')}`;
}
