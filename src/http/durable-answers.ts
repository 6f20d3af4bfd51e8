/**
 * @module
 * A successful answer to a change (POST, PUT, PATCH, DELETE) leaves only once the change
 * is durable against power loss: the middleware waits for the group commit after the
 * route has made its change and before the answer is sent. Reads never wait.
 */
import type { MiddlewareHandler } from 'hono'
import { errorText, StorageFailedError } from '../errors.ts'

const READS = new Set(['GET', 'HEAD', 'OPTIONS'])

/** Waits for `durable()` before a 2xx answer to a change. */
export function durableAnswers(durable: () => Promise<void>): MiddlewareHandler {
  const afterChange: MiddlewareHandler = async (c, next) => {
    await next()
    if (!c.res.ok) return
    try {
      await durable()
    } catch (err) {
      throw new StorageFailedError(
        `The change is stored but could not be made durable (the disk's sync failed: ${errorText(err)}); ` +
          'it may not survive a power cut. Check the disk of the server, then GET it to see what is stored',
        { cause: err },
      )
    }
  }
  return (c, next) => (READS.has(c.req.method) ? next() : afterChange(c, next))
}
