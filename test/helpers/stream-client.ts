/**
 * @module
 * A client of periscope's streams over a real socket (fetch): reads SSE or NDJSON as
 * it arrives into frames, so a test can wait for what it expects.
 */
import { waitFor } from '../../runtimes/testing/wait-for.ts'

/** One thing the server sent: a record (its SSE `id`/`event`, its JSON) or a heartbeat. */
export interface Frame {
  kind: 'record' | 'heartbeat'
  id?: string
  event?: string
  data?: any
}

/** An open stream. */
export interface StreamClient {
  status: number
  headers: Headers
  frames: Frame[]
  /** The records' JSON, in order. */
  records(): any[]
  /** Resolves when the server closed the stream. */
  closed: Promise<void>
  isClosed(): boolean
  /** Waits until `check(frames)` holds. */
  until(what: string, check: (frames: Frame[]) => boolean, timeoutMs?: number): Promise<void>
  /** Closes the connection from this side. */
  close(): void
}

/** Opens `url`; `headers.accept` decides SSE or NDJSON parsing (the response's content type does). */
export async function openStream(url: string, headers: Record<string, string> = {}): Promise<StreamClient> {
  const abort = new AbortController()
  const res = await fetch(url, { headers, signal: abort.signal })
  const frames: Frame[] = []
  const sse = (res.headers.get('content-type') ?? '').startsWith('text/event-stream')
  let done = false
  const closed = (async () => {
    if (!res.body) return
    const decoder = new TextDecoder()
    let buffer = ''
    try {
      for await (const chunk of res.body) {
        buffer += decoder.decode(chunk, { stream: true })
        buffer = sse ? takeSse(buffer, frames) : takeNdjson(buffer, frames)
      }
    } catch {
      // Closed by us (abort) or cut by the server.
    } finally {
      done = true
    }
  })()
  return {
    status: res.status,
    headers: res.headers,
    frames,
    records: () => frames.filter((f) => f.kind === 'record').map((f) => f.data),
    closed,
    isClosed: () => done,
    until: async (what, check, timeoutMs = 15_000) => {
      await waitFor(what, () => check(frames) || (done && check(frames)), timeoutMs, 5)
    },
    close: () => abort.abort(),
  }
}

function takeNdjson(buffer: string, frames: Frame[]): string {
  let at = buffer.indexOf('\n')
  while (at >= 0) {
    const line = buffer.slice(0, at)
    buffer = buffer.slice(at + 1)
    frames.push(line === '' ? { kind: 'heartbeat' } : { kind: 'record', data: JSON.parse(line) })
    at = buffer.indexOf('\n')
  }
  return buffer
}

function takeSse(buffer: string, frames: Frame[]): string {
  let at = buffer.indexOf('\n\n')
  while (at >= 0) {
    const block = buffer.slice(0, at)
    buffer = buffer.slice(at + 2)
    const frame: Frame = { kind: 'heartbeat' }
    for (const line of block.split('\n')) {
      if (line.startsWith('id: ')) frame.id = line.slice(4)
      else if (line.startsWith('event: ')) frame.event = line.slice(7)
      else if (line.startsWith('data: ')) {
        frame.kind = 'record'
        frame.data = JSON.parse(line.slice(6))
      } else if (line !== ': ping') throw new Error(`unexpected SSE line ${JSON.stringify(line)}`)
    }
    frames.push(frame)
    at = buffer.indexOf('\n\n')
  }
  return buffer
}
