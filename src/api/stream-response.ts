/**
 * @module
 * A streaming HTTP answer (SSE or NDJSON) around a producer, for every stream the API has.
 */
import type { Context } from 'hono'
import { type Producer, pullStream } from '../http/pull-stream.ts'
import { type StreamFormat, streamHeaders } from '../http/stream-format.ts'

/** What every stream is given. */
export interface StreamSettings {
  /** Longest silence before a heartbeat. */
  heartbeatMs: number
  /** How long a client may stop reading before its connection is cut. */
  stallMs: number
}

/** The 200 answer streaming what `produce` makes, in `format`. */
export function streamResponse(
  c: Context,
  format: StreamFormat,
  produce: Producer,
  settings: StreamSettings,
): Response {
  // Bun's idle timeout would cut a quiet stream whose heartbeat is rarer than it; the
  // heartbeat and the stall cut-off keep such connections in check instead.
  const server = c.env as { timeout?: (req: Request, seconds: number) => void } | undefined
  server?.timeout?.(c.req.raw, 0)
  return new Response(pullStream(produce, { stallMs: settings.stallMs }), { headers: streamHeaders(format) })
}
