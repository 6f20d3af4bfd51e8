/**
 * @module
 * Browser origins. A web page on another origin can neither read answers (no CORS headers
 * unless `--cors-origin` names its origin) nor cause a write: a POST, PUT, PATCH or DELETE
 * whose `Origin` is not this server's own or a `--cors-origin` one is refused (403), and so is
 * one a browser marks `Sec-Fetch-Site: cross-site` or `same-site` without an origin we trust.
 * Non-browser clients (Submarine's SDK and CLI, curl) send neither header and are not affected.
 * Preflights (`OPTIONS` with `Access-Control-Request-Method`) are answered here, before auth,
 * since a browser sends them without credentials.
 */
import type { Context } from 'hono'
import { CrossOriginError } from '../errors.ts'
import type { AnswerFinish, RequestCheck } from './around-routes.ts'
import { requestAuthority } from './host.ts'

/** Methods that change something. */
export const WRITE_METHODS: ReadonlySet<string> = new Set(['POST', 'PUT', 'PATCH', 'DELETE'])

const ALLOW_METHODS = 'GET, POST, PUT, PATCH, DELETE'
const ALLOW_HEADERS = 'Authorization, Content-Type, Accept'

/** Whether `origin` is the page origin of this very server (same host and port as the request's Host). */
function isOwnOrigin(origin: string, authority: string): boolean {
  try {
    return new URL(origin).host === new URL(`http://${authority}`).host
  } catch {
    return false
  }
}

/** Whether the request is a CORS preflight (answered by {@link originCheck}). */
function isPreflight(c: Context): boolean {
  return c.req.method === 'OPTIONS' && c.req.header('access-control-request-method') !== undefined
}

/** The cross-origin-write rules and preflights; `corsOrigins` as `src/config.ts` normalised them. */
export function originCheck(corsOrigins: readonly string[]): RequestCheck {
  const allowed = new Set(corsOrigins)
  const hint = corsOrigins.length > 0 ? ` (allowed: this server's own pages and ${corsOrigins.join(', ')})` : ''
  return (c) => {
    const origin = c.req.header('origin')
    const listed = origin !== undefined && allowed.has(origin.toLowerCase())
    const method = c.req.method
    const refuse = (who: string) =>
      new CrossOriginError(
        `Refused ${method} ${c.req.path}: ${who} may not send it to this server${hint}; ` +
          'to allow a web UI on another origin, start the server with --cors-origin <origin>',
      )
    if (origin !== undefined && isPreflight(c)) {
      if (!listed) throw refuse(`a web page on ${JSON.stringify(origin)}`)
      return new Response(null, {
        status: 204,
        headers: {
          'access-control-allow-origin': origin,
          'access-control-allow-methods': ALLOW_METHODS,
          'access-control-allow-headers': ALLOW_HEADERS,
          'access-control-max-age': '600',
          vary: 'Origin',
        },
      })
    }
    if (WRITE_METHODS.has(method)) {
      const trusted = listed || (origin !== undefined && isOwnOrigin(origin, requestAuthority(c.req)))
      if (origin !== undefined && !trusted) throw refuse(`a web page on ${JSON.stringify(origin)}`)
      const site = c.req.header('sec-fetch-site')
      if (origin === undefined && (site === 'cross-site' || site === 'same-site'))
        throw refuse(`a web page on another site (Sec-Fetch-Site: ${site})`)
    }
    return undefined
  }
}

/**
 * The CORS headers on answers to pages of `corsOrigins` (refusals included, so such a page
 * can read why), or null when there are none: then no answer carries any.
 */
export function corsHeaders(corsOrigins: readonly string[]): AnswerFinish | null {
  if (corsOrigins.length === 0) return null
  const allowed = new Set(corsOrigins)
  return (c) => {
    const origin = c.req.header('origin')
    if (origin !== undefined && isPreflight(c)) return // answered with its own
    c.res.headers.append('vary', 'Origin')
    if (origin !== undefined && allowed.has(origin.toLowerCase())) {
      c.res.headers.set('access-control-allow-origin', origin)
      c.res.headers.set('access-control-expose-headers', 'WWW-Authenticate')
    }
  }
}
