/**
 * @module
 * The two wire forms of periscope's streams, shared by the log follow and the event
 * stream: Server-Sent Events (`text/event-stream`) and newline-delimited JSON
 * (`application/x-ndjson`). Pure text: no I/O.
 *
 * SSE: each record is `id: <cursor>` + `data: <json>`; the closing record is
 * `event: end`; a heartbeat is the comment `: ping`. NDJSON: each record is one JSON
 * object on one line; a heartbeat is an empty line (skipped by line-splitting readers).
 */

export type StreamFormat = 'sse' | 'ndjson'

const SSE = 'text/event-stream'
const NDJSON = new Set(['application/x-ndjson', 'application/ndjson', 'application/jsonl', 'application/x-jsonlines'])

/**
 * The form asked for by an `Accept` header: the first of the listed types that names one
 * (q-values are not weighed: a client asking for a stream names one form), else `fallback`.
 */
export function negotiateFormat(accept: string | undefined, fallback: StreamFormat): StreamFormat {
  for (const part of (accept ?? '').split(',')) {
    const type = part.split(';')[0]!.trim().toLowerCase()
    if (type === SSE) return 'sse'
    if (NDJSON.has(type)) return 'ndjson'
  }
  return fallback
}

/** Response headers of a stream in `format`: not cached, not buffered by proxies. */
export function streamHeaders(format: StreamFormat): Record<string, string> {
  return {
    'content-type': format === 'sse' ? 'text/event-stream; charset=utf-8' : 'application/x-ndjson; charset=utf-8',
    'cache-control': 'no-cache',
    'x-accel-buffering': 'no',
  }
}

/** One record: `data` as JSON; for SSE with `id` (the cursor a reconnect sends back) and an optional event name. */
export function frame(format: StreamFormat, data: unknown, id?: string, event?: string): string {
  const json = JSON.stringify(data)
  if (format === 'ndjson') return `${json}\n`
  // JSON.stringify escapes every line break, so the data is always one `data:` line.
  return `${event ? `event: ${event}\n` : ''}${id === undefined ? '' : `id: ${id}\n`}data: ${json}\n\n`
}

/** Keeps an idle connection (and the proxies on its way) from timing out. */
export function heartbeat(format: StreamFormat): string {
  return format === 'sse' ? ': ping\n\n' : '\n'
}
