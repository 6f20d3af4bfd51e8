/**
 * @module
 * A response body pulled from an async producer, one piece at a time, with backpressure.
 *
 * `Bun.serve` pulls a `ReadableStream` body only while the socket takes what it is given
 * (measured: a client that stops reading holds ~4 MB in the kernel's buffers, then pulls
 * stop), so a producer that reads SQLite per pull costs the server no memory for a slow
 * client. A client that stops reading altogether would still hold a connection and a
 * follower forever: when a piece waits longer than `stallMs` to be taken, the stream is
 * errored, which makes Bun close the connection.
 */

/** Makes the next piece of text, or null at the end. `signal` aborts when the client has gone. */
export type Producer = (signal: AbortSignal) => Promise<string | null>

export interface PullStreamOptions {
  /** How long a piece may wait for a client that stopped reading before the connection is cut. */
  stallMs: number
  /** Called once when the stream ends for any reason (end, client gone, cut off). */
  onClose?: (why: 'end' | 'cancelled' | 'stalled' | 'failed') => void
}

/** Thrown into a stream whose client stopped reading; Bun closes the connection. */
export class StalledClientError extends Error {
  override name = 'StalledClientError'
}

/** A byte stream of what `produce` returns, pulled as the client reads. */
export function pullStream(produce: Producer, options: PullStreamOptions): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder()
  const abort = new AbortController()
  let stall: ReturnType<typeof setTimeout> | undefined
  let closed = false
  const close = (why: 'end' | 'cancelled' | 'stalled' | 'failed') => {
    if (closed) return
    closed = true
    clearTimeout(stall)
    abort.abort()
    options.onClose?.(why)
  }
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        clearTimeout(stall)
        let text: string | null
        try {
          text = await produce(abort.signal)
        } catch (err) {
          close('failed')
          controller.error(err)
          return
        }
        if (closed) return
        if (text === null) {
          close('end')
          controller.close()
          return
        }
        controller.enqueue(encoder.encode(text))
        // The next pull comes once Bun has taken this piece; until then the client is not reading.
        stall = setTimeout(() => {
          close('stalled')
          controller.error(new StalledClientError(`the client read nothing for ${options.stallMs} ms`))
        }, options.stallMs)
      },
      cancel() {
        close('cancelled')
      },
    },
    { highWaterMark: 1 },
  )
}
