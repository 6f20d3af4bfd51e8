/**
 * @module
 * Checks a presented secret against every token the server accepts: those stored in SQLite
 * and the `--token-file` one. Every candidate is compared, in constant time, with no early exit.
 * The stored tokens are kept in memory and read again whenever another connection has committed
 * (`PRAGMA data_version`, one cheap query per check): `periscope token create|revoke`, run in
 * another process, is seen at the next request, and an unchanged database costs no reading.
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
export function createTokenVerifier(
  stored: { all(): StoredToken[]; changesElsewhere(): number },
  fileSecret?: string,
): TokenVerifier {
  const file: Array<TokenHashes & Identity> = fileSecret
    ? [{ ...hashesOf(fileSecret), name: FILE_TOKEN_NAME, readOnly: false }]
    : []
  let seen = stored.changesElsewhere()
  let tokens: Array<TokenHashes & Identity> = [...file, ...stored.all()]
  return {
    verify(secret) {
      const version = stored.changesElsewhere()
      if (version !== seen) {
        seen = version
        tokens = [...file, ...stored.all()]
      }
      const presented = sha256(secret)
      let found: Identity | null = null
      for (const token of tokens) {
        if (matches(presented, token) && found === null) found = { name: token.name, readOnly: token.readOnly }
      }
      return found
    },
  }
}
