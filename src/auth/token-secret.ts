/**
 * @module
 * Token secrets and their hashes. Pure: no storage, no I/O beyond the random source.
 *
 * A token is `psc_` and 32 random bytes in base64url (256 bits; the prefix lets secret
 * scanners spot a leaked one). Two hashes of it are kept, never the token:
 * - `hash`: sha256(token), what `Authorization: Bearer <token>` is checked against;
 * - `md5Hash`: sha256(md5hex(token)), what Submarine's web UI login is checked against, since
 *   the UI sends the password as its MD5 hex digest.
 * Unsalted fast hashes are enough because the secret is random, not chosen: salting and slow
 * hashing defend low-entropy passwords against guessing, and there is nothing to guess in 2^256.
 * md5hex(token) is 128 bits that only the token's holder can compute (MD5's known weakness is
 * collisions, not preimages), so the second hash does not make a stolen database more useful.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto'

/** What identifies a token in lists and logs. */
export const TOKEN_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/

/** The name the `--token-file` token goes by; no stored token may take it. */
export const FILE_TOKEN_NAME = 'token-file'

/** Shortest `--token-file` content accepted (a hand-made secret must not be guessable). */
export const MIN_SECRET_LENGTH = 32

/** The two hashes kept of a token. */
export interface TokenHashes {
  hash: Uint8Array
  md5Hash: Uint8Array
}

/** A fresh random token. */
export function newTokenSecret(): string {
  return `psc_${randomBytes(32).toString('base64url')}`
}

/** sha256 of `text` (UTF-8). */
export function sha256(text: string): Uint8Array {
  return new Uint8Array(createHash('sha256').update(text, 'utf8').digest())
}

/** The hashes stored for `secret`. */
export function hashesOf(secret: string): TokenHashes {
  return { hash: sha256(secret), md5Hash: sha256(createHash('md5').update(secret, 'utf8').digest('hex')) }
}

/**
 * Whether `presented` (already hashed with {@link sha256}) is the token or its MD5 hex digest.
 * Both comparisons always run, each in constant time, so the timing tells nothing either way.
 */
export function matches(presented: Uint8Array, stored: TokenHashes): boolean {
  const a = timingSafeEqual(presented, stored.hash)
  const b = timingSafeEqual(presented, stored.md5Hash)
  return a || b
}
