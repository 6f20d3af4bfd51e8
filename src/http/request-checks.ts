/**
 * @module
 * What runs around every route, as two middlewares rather than one per concern: each
 * middleware costs a closure, a promise and an await per request, which for an answer
 * kept in memory (`answer-cache.ts`) was most of its time.
 */
import type { Context, MiddlewareHandler } from 'hono'

/**
 * A check of a request before any route runs: it throws its refusal (rendered by the app's
 * error handler), answers the request itself (a CORS preflight), or lets it pass (undefined).
 */
export type RequestCheck = (c: Context) => Response | undefined

/** Something added to every answer, errors included, once it is made. */
export type AnswerFinish = (c: Context) => void

/** Runs `checks` in order; the first answer or refusal ends the request. */
export function requestChecks(checks: readonly RequestCheck[]): MiddlewareHandler {
  return (c, next) => {
    for (const check of checks) {
      const answer = check(c)
      if (answer !== undefined) return Promise.resolve(answer)
    }
    return next()
  }
}

/** Runs `finishes` in order on whatever the app answered (a refusal by a {@link RequestCheck} too). */
export function answerFinishing(finishes: readonly AnswerFinish[]): MiddlewareHandler {
  return async (c, next) => {
    await next()
    for (const finish of finishes) finish(c)
  }
}
