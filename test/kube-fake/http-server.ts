/**
 * Serves a fetch-style handler over `node:http` on 127.0.0.1.
 *
 * Why not `Bun.serve`: in Bun 1.4 a streamed `Response` withholds the end of its header block
 * until the first body chunk (oven-sh/bun PR #33660, open), so a watch or log follow with nothing
 * to say yet would never let `fetch()` resolve. The real API server commits headers at once;
 * `node:http` with `flushHeaders()` does too.
 * @module
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

/** Response header that marks a streamed body (watch, log follow); stripped before sending. */
export const STREAM_HEADER = 'x-kube-fake-stream'

/** A listening server. */
export interface ListeningServer {
  port: number
  /** Closes the listener and every open connection. */
  close(): Promise<void>
}

async function toRequest(req: IncomingMessage, signal: AbortSignal): Promise<Request> {
  const chunks: Buffer[] = []
  for await (const chunk of req) chunks.push(chunk as Buffer)
  const headers = new Headers()
  for (const [key, value] of Object.entries(req.headers)) {
    if (Array.isArray(value)) for (const v of value) headers.append(key, v)
    else if (value !== undefined) headers.set(key, value)
  }
  const method = req.method ?? 'GET'
  const body = method === 'GET' || method === 'HEAD' || chunks.length === 0 ? undefined : Buffer.concat(chunks)
  return new Request(`http://${req.headers.host ?? '127.0.0.1'}${req.url ?? '/'}`, { method, headers, body, signal })
}

async function send(response: Response, res: ServerResponse): Promise<void> {
  const headers: Record<string, string> = {}
  response.headers.forEach((value, key) => {
    if (key !== STREAM_HEADER) headers[key] = value
  })
  if (!response.headers.has(STREAM_HEADER) || !response.body) {
    const body = Buffer.from(await response.arrayBuffer())
    res.writeHead(response.status, { ...headers, 'content-length': String(body.length) })
    res.end(body)
    return
  }
  res.writeHead(response.status, headers)
  res.flushHeaders()
  const reader = response.body.getReader()
  res.on('close', () => {
    reader.cancel().catch(() => {})
  })
  try {
    for (;;) {
      const { done, value } = await reader.read()
      if (done) break
      res.write(value)
    }
    res.end()
  } catch {
    // The stream was errored on purpose (a dropped watch): cut the connection.
    res.destroy()
  }
}

/** Starts serving `handler` on 127.0.0.1 and a free port. */
export async function serveFetch(handler: (req: Request) => Promise<Response>): Promise<ListeningServer> {
  const server = createServer((req, res) => {
    const abort = new AbortController()
    res.on('close', () => abort.abort())
    toRequest(req, abort.signal)
      .then(handler)
      .then((response) => send(response, res))
      .catch((err) => {
        console.error('kube-fake: request failed', err)
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' })
        res.end()
      })
  })
  server.keepAliveTimeout = 60_000
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve())
        server.closeAllConnections()
      }),
  }
}
