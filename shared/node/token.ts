import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** A fresh per-process secret: 32 random bytes, URL-safe. */
export function newToken(): string {
  return randomBytes(32).toString('base64url');
}

/**
 * Constant-time token comparison. Hashing both sides first makes the inputs
 * equal in length, so neither the content nor the length of the secret leaks
 * through timing.
 */
export function tokenMatches(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given, 'utf8').digest();
  const b = createHash('sha256').update(expected, 'utf8').digest();
  return timingSafeEqual(a, b);
}
