/**
 * @module
 * The one place that turns thrown values into error envelopes.
 */
import type { Context } from 'hono'
import { HTTPException } from 'hono/http-exception'
import { AppError } from '../errors.ts'
import { errorBody } from './envelope.ts'

/** Renders an error; anything not an {@link AppError} is logged and answered as a generic 500. */
export function renderError(err: unknown, c: Context, log: (message: string) => void): Response {
  if (err instanceof AppError) {
    return c.body(errorBody(err.status, err.message, { reason: err.reason, ...err.details }), err.status as 400, {
      'content-type': 'application/json; charset=utf-8',
    })
  }
  if (err instanceof HTTPException && err.status < 500) {
    return c.body(errorBody(err.status, err.message || 'Bad request.', { reason: 'MALFORMED_BODY' }), err.status, {
      'content-type': 'application/json; charset=utf-8',
    })
  }
  log(`unexpected error on ${c.req.method} ${c.req.path}: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`)
  return c.body(errorBody(500, 'Unexpected server error; see the server log.', { reason: 'INTERNAL' }), 500, {
    'content-type': 'application/json; charset=utf-8',
  })
}
