/**
 * @module
 * A streaming HTTP answer (SSE or NDJSON) around a producer, for every stream the API has.
 */
import type { Context } from 'hono'
import { type Producer, pullStream } from '../http/pull-stream.ts'
import { type StreamFormat, streamHeaders } from '../http/stream-format.ts'
import type { StreamSlots } from '../http/stream-slots.ts'

/** What every stream is given. */
export interface StreamSettings {
  /** Longest silence before a heartbeat. */
  heartbeatMs: number
  /** How long a client may stop reading before its connection is cut. */
  stallMs: number
  /** The server's cap on open streams (429 when full). */
  slots: StreamSlots
}

/**
 * The 200 answer streaming what `produce` makes, in `format`; `what` names it in the 429
 * answered when every stream slot is taken.
 */
export function streamResponse(
  c: Context,
  format: StreamFormat,
  produce: Producer,
  settings: StreamSettings,
  what: string,
): Response {
  const release = settings.slots.acquire(what)
  // Bun's idle timeout would cut a quiet stream whose heartbeat is rarer than it; the
  // heartbeat and the stall cut-off keep such connections in check instead.
  const server = c.env as { timeout?: (req: Request, seconds: number) => void } | undefined
  server?.timeout?.(c.req.raw, 0)
  return new Response(pullStream(produce, { stallMs: settings.stallMs, onClose: release }), {
    headers: streamHeaders(format),
  })
}
