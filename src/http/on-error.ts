/**
 * @module
 * The one place that turns thrown values into error envelopes.
 */
import type { Context } from 'hono'
import { AppError, RequestTimeoutError } from '../errors.ts'
import { failure } from './envelope.ts'

/** Renders an error; anything not an {@link AppError} is logged and answered as a generic 500. */
export function renderError(err: unknown, c: Context, log: (message: string) => void): Response {
  if (err instanceof AppError) {
    const res = failure(err.status, err.message, { reason: err.reason, ...err.details })
    for (const [name, value] of Object.entries(err.headers)) res.headers.set(name, value)
    // The rest of a late body may still be on its way: the connection cannot be reused.
    if (err instanceof RequestTimeoutError) res.headers.set('connection', 'close')
    return res
  }
  const detail = err instanceof Error ? (err.stack ?? err.message) : String(err)
  log(`unexpected error on ${c.req.method} ${c.req.path}: ${detail}`)
  return failure(500, 'Unexpected server error; see the server log.', { reason: 'INTERNAL' })
}
