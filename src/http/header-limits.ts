/**
 * @module
 * Limits on the request line and headers, answered 431 in the envelope.
 *
 * Bun refuses heads over 16 KiB or with 198 or more fields itself, with a bare 431 and
 * no body; these limits sit below Bun's, so a client gets the envelope and a message
 * saying what to shorten for anything between normal heads and Bun's refusal.
 */

import { HeadersTooLargeError } from '../errors.ts'
import type { RequestCheck } from './around-routes.ts'

/** Most bytes of the request line and headers together (as nginx's default buffers take). */
export const MAX_HEAD_BYTES = 8 * 1024
/** Most header fields. */
export const MAX_HEADER_FIELDS = 100

/** The refusal for a request head, or null when it is within the limits. */
export function checkHead(method: string, target: string, headers: Headers): HeadersTooLargeError | null {
  // As sent: `METHOD target HTTP/1.1\r\n`, then `name: value\r\n` per field.
  let bytes = method.length + target.length + 11
  let fields = 0
  for (const [name, value] of headers) {
    bytes += name.length + value.length + 4
    fields++
  }
  if (fields > MAX_HEADER_FIELDS)
    return new HeadersTooLargeError(`Request has ${fields} header fields; at most ${MAX_HEADER_FIELDS} are taken`, {
      details: { limit: MAX_HEADER_FIELDS },
    })
  if (bytes > MAX_HEAD_BYTES)
    return new HeadersTooLargeError(
      `Request line and headers are ${bytes} bytes; at most ${MAX_HEAD_BYTES} bytes (8 KiB) are taken`,
      { details: { limit: MAX_HEAD_BYTES } },
    )
  return null
}

/** Refuses requests over the head limits before any route runs. */
export function headerLimits(): RequestCheck {
  return (c) => {
    const url = c.req.url
    const target = url.slice(url.indexOf('/', url.indexOf('//') + 2)) // the path and query as sent
    const refused = checkHead(c.req.method, target, c.req.raw.headers)
    if (refused) throw refused
    return undefined
  }
}
