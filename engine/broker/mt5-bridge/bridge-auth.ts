import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Challenge-response over the shared secret, so the secret itself never crosses the socket:
 * the engine sends a fresh random nonce, the EA answers `sha256(nonce + secret)` in lowercase
 * hex (MQL5 has SHA-256 through `CryptEncode(CRYPT_HASH_SHA256, ...)` but no HMAC).
 */
export function newNonce(): string {
  return randomBytes(16).toString('hex');
}

export function authDigest(nonce: string, secret: string): string {
  return createHash('sha256').update(nonce + secret, 'utf8').digest('hex');
}

/**
 * Compares the EA's digest with the expected one in constant time (both are hashed first so that
 * even their lengths do not leak through timing).
 */
export function digestMatches(nonce: string, secret: string, digest: string): boolean {
  const expected = createHash('sha256').update(authDigest(nonce, secret)).digest();
  const actual = createHash('sha256').update(String(digest).toLowerCase()).digest();
  return timingSafeEqual(expected, actual);
}
