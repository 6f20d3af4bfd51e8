/**
 * @module
 * What runs around every route, as one middleware rather than one per concern: each
 * middleware cost a closure, a promise and an await per request, which for an answer kept
 * in memory (`answer-cache.ts`) was most of its time.
 */
import type { Context, MiddlewareHandler } from 'hono'

/**
 * A check of a request before any route runs: it throws its refusal, answers the request
 * itself (a CORS preflight), or lets it pass (undefined).
 */
export type RequestCheck = (c: Context) => Response | undefined

/** Something added to every answer, refusals and errors included, once it is made. */
export type AnswerFinish = (c: Context) => void

/** What runs after the route, before the answer leaves (the durable wait of a change); it may throw. */
export type AfterRoute = (c: Context) => Promise<void> | undefined

export interface AroundRoutes {
  checks: readonly RequestCheck[]
  after: AfterRoute
  finishes: readonly AnswerFinish[]
  /** Renders what a check or `after` threw (the app's error handler). */
  renderError: (err: unknown, c: Context) => Response
}

/**
 * Runs the checks in order (the first answer or refusal ends the request), then the route,
 * then `after`, then the finishes on whatever is answered.
 */
export function aroundRoutes({ checks, after, finishes, renderError }: AroundRoutes): MiddlewareHandler {
  return async (c, next) => {
    try {
      let answer: Response | undefined
      for (const check of checks) {
        answer = check(c)
        if (answer !== undefined) break
      }
      if (answer !== undefined) c.res = answer
      else {
        await next()
        const waiting = after(c)
        if (waiting) await waiting
      }
    } catch (err) {
      c.res = undefined // replaced, not merged with what the route answered
      c.res = renderError(err, c)
    }
    for (const finish of finishes) finish(c)
  }
}
