/**
 * @module
 * POST, PUT and PATCH under `/api` must say their body is JSON or YAML, before any route runs
 * (even one that ignores its body): the content types a web page may send cross-origin
 * without a preflight (none, text/plain, forms) are all refused with a 415. A write with no
 * body at all (DELETE, `POST …/stop`) needs no type: there is nothing to label, and the Origin
 * rule (`origin.ts`) covers it; a route that reads a body still refuses a missing type.
 */

import type { RequestCheck } from './around-routes.ts'
import { unsupportedType } from './body.ts'

const BODY_METHODS: ReadonlySet<string> = new Set(['POST', 'PUT', 'PATCH'])

/** Refuses a body-carrying write whose Content-Type is missing or not JSON/YAML. */
export function writeContentType(): RequestCheck {
  return (c) => {
    if (BODY_METHODS.has(c.req.method) && underApi(c.req.path) && hasBody(c.req.raw)) {
      const refused = unsupportedType(c.req.header('content-type'))
      if (refused) throw refused
    }
    return undefined
  }
}

function underApi(path: string): boolean {
  return path === '/api' || path.startsWith('/api/')
}

/** False for a request that carries no body (none sent, or `Content-Length: 0`). */
function hasBody(req: Request): boolean {
  return req.body !== null && req.headers.get('content-length') !== '0'
}
