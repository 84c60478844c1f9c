// The workshop's secrets: one random 128-bit token per attendee and one for the instructor, carried in
// their page's URL. Compared in constant time, found without an early exit, never written to a log.
import { randomBytes, timingSafeEqual } from 'node:crypto';

/** 128 random bits, as 32 lowercase hex digits (safe in a URL path). */
export const newToken = (): string => randomBytes(16).toString('hex');

export const TOKEN_SHAPE = /^[0-9a-f]{32}$/;

/** Equal, in a time that does not depend on where the two first differ. */
export function tokensEqual(given: string, known: string): boolean {
  const a = Buffer.from(given, 'utf8');
  const b = Buffer.from(known, 'utf8');
  // unequal lengths: still one comparison of known's length, so that timing says nothing of either
  if (a.length !== b.length) {
    timingSafeEqual(b, b);
    return false;
  }
  return timingSafeEqual(a, b);
}

/** The holder of a token among many: every one is compared (no early exit on a match). */
export function findByToken<T>(given: string, holders: T[], tokenOf: (h: T) => string): T | undefined {
  let found: T | undefined;
  for (const h of holders) if (tokensEqual(given, tokenOf(h)) && !found) found = h;
  return found;
}

/** A URL path with its token replaced, for anything that might print a path (errors, events). */
export const redactPath = (path: string): string => path.replace(/[0-9a-f]{32}/g, '…');
