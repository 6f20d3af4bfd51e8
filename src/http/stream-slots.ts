/**
 * @module
 * A per-server cap on open streams (log follows, event streams): each stream takes a
 * slot for as long as it is open, and a request finding none free is answered 429
 * instead of holding one more connection and follower.
 *
 * Use: `const release = slots.acquire('log follow')` before the stream is made (the
 * 429 is thrown before any byte is sent), and `release` once it ends for any reason
 * (e.g. `pullStream`'s `onClose`). Releasing twice frees one slot.
 */
import { TooManyStreamsError } from '../errors.ts'

/** The slots of one server. */
export interface StreamSlots {
  /** Most streams open at once. */
  readonly max: number
  /** Streams open now. */
  readonly open: number
  /**
   * Takes a slot; `what` names the stream in the 429's message.
   * @returns the release, idempotent
   * @throws TooManyStreamsError (429) when every slot is taken
   */
  acquire(what: string): () => void
}

/** `max` slots (a whole number ≥ 1). */
export function createStreamSlots(max: number): StreamSlots {
  if (!Number.isInteger(max) || max < 1) throw new RangeError(`stream slots: expected a whole number ≥ 1, got ${max}`)
  let open = 0
  return {
    max,
    get open() {
      return open
    },
    acquire(what) {
      if (open >= max) {
        throw new TooManyStreamsError(
          `Too many open streams: this server serves at most ${max} log follows and event streams at once, ` +
            `and all are open; close one or retry the ${what} later`,
          { details: { limit: max } },
        )
      }
      open++
      let released = false
      return () => {
        if (released) return
        released = true
        open--
      }
    },
  }
}
