/**
 * @module
 * A successful answer to a change (POST, PUT, PATCH, DELETE) leaves only once the change
 * is durable against power loss: it waits for the group commit after the route has made
 * its change and before the answer is sent. Reads never wait.
 */
import { errorText, StorageFailedError } from '../errors.ts'
import type { AfterRoute } from './around-routes.ts'
import { WRITE_METHODS } from './origin.ts'

/** Waits for `durable()` after a 2xx answer to a change. */
export function durableAnswers(durable: () => Promise<void>): AfterRoute {
  const wait = async () => {
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
  return (c) => (WRITE_METHODS.has(c.req.method) && c.res.ok ? wait() : undefined)
}
