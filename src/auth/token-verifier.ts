/**
 * @module
 * Checks a presented secret against every token the server accepts: those stored in SQLite
 * (read on each call, so `periscope token revoke` from another process takes effect at once)
 * and the `--token-file` one. Every candidate is compared, in constant time, with no early exit.
 */
import type { StoredToken } from '../storage/token-repository.ts'
import { FILE_TOKEN_NAME, hashesOf, matches, sha256, type TokenHashes } from './token-secret.ts'

/** Who a request acts as. */
export interface Identity {
  name: string
  readOnly: boolean
}

/** Anyone, when auth is off. */
export const ANONYMOUS: Identity = Object.freeze({ name: 'anonymous', readOnly: false })

/** Answers who a secret belongs to. */
export interface TokenVerifier {
  /** The token's identity when `secret` is a valid token or its MD5 hex digest, else null. */
  verify(secret: string): Identity | null
}

/** A verifier over the stored tokens and, when given, the `--token-file` secret. */
export function createTokenVerifier(stored: { all(): StoredToken[] }, fileSecret?: string): TokenVerifier {
  const file: (TokenHashes & Identity) | undefined = fileSecret
    ? { ...hashesOf(fileSecret), name: FILE_TOKEN_NAME, readOnly: false }
    : undefined
  return {
    verify(secret) {
      const presented = sha256(secret)
      let found: Identity | null = null
      for (const token of file ? [file, ...stored.all()] : stored.all()) {
        if (matches(presented, token) && found === null) found = { name: token.name, readOnly: token.readOnly }
      }
      return found
    },
  }
}
