/**
 * @module
 * Follows one of the API's SSE streams with `fetch` (so the token goes in a header),
 * resuming after a dropped connection from the last id seen (`Last-Event-ID`), until
 * the server sends `end`, the answer is an error, or the caller aborts.
 */
import { authorizedFetch, errorOf } from './api.ts'
import { SseParser } from './sse-parser.ts'

/** What a follower is told. */
export interface StreamHandlers<R> {
  /** Each record (`data:` parsed as JSON), in order. */
  record(record: R): void
  /** The `end` event's record: the stream is complete. */
  end?(record: unknown): void
  /** An error answer (4xx): the stream is not retried. */
  error?(message: string, status: number, reason: string | null): void
  /** Whether the connection is up (false while it waits to reconnect). */
  connected?(up: boolean): void
}

/** Follows `path` until it ends or `signal` aborts. */
export async function followStream<R>(path: string, handlers: StreamHandlers<R>, signal: AbortSignal): Promise<void> {
  let lastId: string | null = null
  let pause = 500
  while (!signal.aborted) {
    try {
      const headers: Record<string, string> = { accept: 'text/event-stream' }
      if (lastId !== null) headers['last-event-id'] = lastId
      const res = await authorizedFetch(path, { headers, signal })
      if (!res.ok || !res.body) {
        const err = await errorOf(res)
        if (res.status >= 400 && res.status < 500) {
          handlers.error?.(err.message, err.status, err.reason)
          return
        }
        throw err
      }
      handlers.connected?.(true)
      pause = 500
      const parser = new SseParser()
      const reader = res.body.pipeThrough(new TextDecoderStream()).getReader()
      for (;;) {
        const { value, done } = await reader.read()
        if (done) break
        for (const event of parser.feed(value)) {
          if (event.id !== null) lastId = event.id
          if (event.event === 'end') {
            handlers.end?.(event.data ? JSON.parse(event.data) : null)
            await reader.cancel().catch(() => {})
            return
          }
          if (event.event === 'message' && event.data) handlers.record(JSON.parse(event.data) as R)
        }
      }
    } catch {
      if (signal.aborted) return
    }
    // The connection dropped (or the server was away): try again, a little later each time.
    handlers.connected?.(false)
    await new Promise((resolve) => setTimeout(resolve, pause))
    pause = Math.min(pause * 2, 10_000)
  }
}
