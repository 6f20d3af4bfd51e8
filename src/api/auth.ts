/**
 * @module
 * What Submarine's web UI and integration tests call to log in (`submarine-clients.md`):
 * `POST /api/auth/login` (the UI sends the password as its MD5 hex digest), `POST /api/auth/token`,
 * `POST /api/auth/logout` and `GET /api/sys/user/info`. The password is a periscope token, or
 * its MD5 hex digest; the token answered is the password as sent, which `Authorization: Bearer`
 * accepts in either form, so nothing new is stored. With auth off, any login succeeds.
 */
import { Hono } from 'hono'
import type { Identity, TokenVerifier } from '../auth/token-verifier.ts'
import { UnauthenticatedError, ValidationError } from '../errors.ts'
import { identityOf } from '../http/auth.ts'
import { readBody } from '../http/body.ts'
import { ok } from '../http/envelope.ts'

/** The token answered to a login when auth is off: never checked, so any value would do. */
export const AUTH_OFF_TOKEN = 'auth-off'

/** The password of a login body; the body is `{username, password}`, and only the password matters. */
function passwordOf(body: unknown): string {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw new ValidationError('Invalid login: expected {"username": …, "password": "<token or its MD5 hex digest>"}')
  const password = Object.hasOwn(body, 'password') ? (body as Record<string, unknown>).password : undefined
  if (typeof password !== 'string' || password === '')
    throw new ValidationError('Invalid login: password must be a non-empty string (a periscope token)', {
      details: { field: 'password' },
    })
  return password
}

/** The login's `username`, when it is a non-empty string. */
function usernameOf(body: unknown): string | undefined {
  if (typeof body !== 'object' || body === null || !Object.hasOwn(body, 'username')) return undefined
  const username = (body as Record<string, unknown>).username
  return typeof username === 'string' && username !== '' ? username : undefined
}

const user = (identity: Identity) => ({
  id: identity.name,
  username: identity.name,
  name: identity.name,
  role: {
    id: identity.readOnly ? 'read-only' : 'read-write',
    name: identity.readOnly ? 'read-only' : 'read-write',
    permissions: [
      { permissionId: 'experiment:read', permissionName: 'Read experiments, environments and logs' },
      ...(identity.readOnly ? [] : [{ permissionId: 'experiment:write', permissionName: 'Create, change, delete' }]),
    ],
  },
})

/** The login routes, mounted at `/api`; `verifier` null when auth is off. */
export function authRoutes(verifier: TokenVerifier | null): Hono {
  const app = new Hono({ strict: false })
  /** Checks a login body: the identity and the token to send from now on. */
  const login = async (body: unknown): Promise<{ identity: Identity; token: string }> => {
    if (verifier === null)
      return { identity: { name: usernameOf(body) ?? 'anonymous', readOnly: false }, token: AUTH_OFF_TOKEN }
    const password = passwordOf(body)
    const identity = verifier.verify(password)
    if (identity === null)
      throw new UnauthenticatedError(
        'Login failed: the password must be a periscope token (or its MD5 hex digest); ' +
          '"periscope token create" makes one',
        true,
      )
    return { identity, token: password }
  }
  app.post('/auth/login', async (c) => {
    const { identity, token } = await login(await readBody(c))
    return ok({ ...user(identity), token })
  })
  app.post('/auth/token', async (c) => ok((await login(await readBody(c))).token))
  // Tokens are not sessions: logging out forgets nothing here (the UI drops its copy); revoke to end a token.
  app.post('/auth/logout', () => ok(true))
  app.get('/sys/user/info', (c) => ok(user(identityOf(c))))
  return app
}
