/**
 * @module
 * Bearer tokens. With auth on, every request needs `Authorization: Bearer <token>` except
 * the few in {@link OPEN_PATHS}; a missing or wrong token is a 401, a read-only token
 * writing a 403. With auth off every request acts as {@link ANONYMOUS}.
 */
import type { Context } from 'hono'
import { ANONYMOUS, type Identity, type TokenVerifier } from '../auth/token-verifier.ts'
import { ForbiddenError, UnauthenticatedError } from '../errors.ts'
import type { RequestCheck } from './around-routes.ts'
import { WRITE_METHODS } from './origin.ts'

/**
 * What needs no token: health, the API's ping and document, and the login endpoints (which
 * check the token themselves). Everything else, known route or not, does.
 */
export const OPEN_PATHS: ReadonlySet<string> = new Set([
  '/healthz',
  '/readyz',
  '/openapi.json',
  '/v1/openapi.json',
  '/api/v1/experiment/ping',
  '/api/auth/login',
  '/api/auth/token',
  '/api/auth/logout',
])

const BEARER = /^Bearer[ \t]+([^\s]+)[ \t]*$/i

const identities = new WeakMap<Request, Identity>()

/** Who the request acts as; ANONYMOUS on open paths and when auth is off. */
export function identityOf(c: Context): Identity {
  return identities.get(c.req.raw) ?? ANONYMOUS
}

/** The token check; `verifier` null means auth is off. */
export function requireToken(verifier: TokenVerifier | null): RequestCheck {
  return (c) => {
    if (verifier === null) return undefined
    const path = c.req.path.length > 1 ? c.req.path.replace(/\/+$/, '') : c.req.path
    if (OPEN_PATHS.has(path)) return undefined
    const header = c.req.header('authorization')
    if (header === undefined || header.trim() === '') {
      throw new UnauthenticatedError(
        `${c.req.method} ${c.req.path} needs a token: send "Authorization: Bearer <token>" ` +
          '(the server log says where its first token was written; "periscope token create" makes another)',
        false,
      )
    }
    const secret = BEARER.exec(header)?.[1]
    if (secret === undefined) throw new UnauthenticatedError('The Authorization header must be "Bearer <token>"', true)
    const identity = verifier.verify(secret)
    if (identity === null)
      throw new UnauthenticatedError('The token is not valid: it is mistyped or has been revoked', true)
    if (identity.readOnly && WRITE_METHODS.has(c.req.method)) {
      throw new ForbiddenError(
        `Token "${identity.name}" is read-only; ${c.req.method} ${c.req.path} needs a read-write token`,
      )
    }
    identities.set(c.req.raw, identity)
    return undefined
  }
}
