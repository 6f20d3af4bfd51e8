/**
 * @module
 * A scripted HTTP/1.1 server on a raw loopback socket, for client tests that need
 * what `Bun.serve` cannot do on purpose: end an NDJSON stream without its end object,
 * or cut it in the middle of a line, as a dropped connection does. Every request is
 * recorded. Responses are close-delimited (`Connection: close`).
 */
import type { Socket } from 'bun'

/** A request as the server saw it. */
export interface RawRequest {
  method: string
  path: string
  query: URLSearchParams
  headers: Map<string, string>
  body: string
}

/** How a handler answers. */
export interface RawResponse {
  /** A complete JSON answer. */
  json(status: number, body: unknown): void
  /** Starts an NDJSON answer. */
  ndjson(): NdjsonWriter
}

export interface NdjsonWriter {
  /** One object on its own line. */
  send(obj: unknown): void
  /** Bytes as they are (e.g. half a line). */
  raw(text: string): void
  /** Closes the connection (whatever was sent is all there is). */
  close(): void
}

export type Handler = (req: RawRequest, res: RawResponse) => void | Promise<void>

export interface RawHttpServer {
  url: string
  requests: RawRequest[]
  stop(): void
}

/** Starts the server; `handle` answers each request. */
export function startRawHttpServer(handle: Handler): RawHttpServer {
  const requests: RawRequest[] = []
  const pending = new Map<Socket<undefined>, string>()
  const server = Bun.listen<undefined>({
    hostname: '127.0.0.1',
    port: 0,
    socket: {
      data(socket, data) {
        const text = (pending.get(socket) ?? '') + data.toString('latin1')
        const headEnd = text.indexOf('\r\n\r\n')
        if (headEnd < 0) return void pending.set(socket, text)
        const [requestLine, ...headerLines] = text.slice(0, headEnd).split('\r\n')
        const headers = new Map(
          headerLines.map((l) => [l.slice(0, l.indexOf(':')).trim().toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]),
        )
        const length = Number(headers.get('content-length') ?? 0)
        const body = text.slice(headEnd + 4)
        if (Buffer.byteLength(body, 'latin1') < length) return void pending.set(socket, text)
        pending.delete(socket)
        const [method, target] = requestLine!.split(' ') as [string, string]
        const url = new URL(target, 'http://x')
        const req = { method, path: url.pathname, query: url.searchParams, headers, body }
        requests.push(req)
        void handle(req, respond(socket))
      },
      close(socket) {
        pending.delete(socket)
      },
    },
  })
  return { url: `http://127.0.0.1:${server.port}`, requests, stop: () => server.stop(true) }
}

function respond(socket: Socket<undefined>): RawResponse {
  const head = (status: number, type: string, extra = '') =>
    socket.write(`HTTP/1.1 ${status} X\r\ncontent-type: ${type}\r\nconnection: close\r\n${extra}\r\n`)
  return {
    json(status, body) {
      const text = JSON.stringify(body)
      head(status, 'application/json; charset=utf-8', `content-length: ${Buffer.byteLength(text)}\r\n`)
      socket.write(text)
      socket.end()
    },
    ndjson() {
      head(200, 'application/x-ndjson')
      return {
        send: (obj) => void socket.write(`${JSON.stringify(obj)}\n`),
        raw: (text) => void socket.write(text),
        close: () => socket.end(),
      }
    },
  }
}

/** Submarine's success envelope around `result`. */
export function envelope(result: unknown) {
  return { status: 'OK', code: 200, success: true, message: null, result, attributes: {} }
}
