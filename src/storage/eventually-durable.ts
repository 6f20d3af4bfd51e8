/**
 * @module
 * Waiting until what is committed now is durable, however many syncs that takes: what a
 * job waits for before it runs. A failed sync (the create was answered 503) is tried again.
 */

/** Pause between attempts after a failed sync. */
const RETRY_MS = 1000

/**
 * Resolves once a `durable()` call made now, or a later one, has succeeded; never rejects.
 * The first call is made at once, so it shares the sync of the requests answered in this turn.
 */
export function eventuallyDurable(durable: () => Promise<void>, retryMs = RETRY_MS): Promise<void> {
  return durable().catch(async () => {
    await Bun.sleep(retryMs)
    return eventuallyDurable(durable, retryMs)
  })
}
