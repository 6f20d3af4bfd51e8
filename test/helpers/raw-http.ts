/**
 * @module
 * One HTTP/1.1 request written byte for byte on a TCP socket, so a test sends exactly the
 * headers a browser sends (Host, Origin, Sec-Fetch-*) and nothing a client library adds.
 */
import { connect } from 'node:net'

export interface RawResponse {
  status: number
  headers: Map<string, string>
  body: string
}

/** Sends `method path` with `headers` (in order, as given) and `body`; reads the answer to the end. */
export function rawRequest(
  port: number,
  method: string,
  path: string,
  headers: Array<[string, string]>,
  body = '',
): Promise<RawResponse> {
  const bytes = Buffer.from(body)
  const head = [
    `${method} ${path} HTTP/1.1`,
    ...headers.map(([k, v]) => `${k}: ${v}`),
    ...(bytes.length > 0 ? [`Content-Length: ${bytes.length}`] : []),
    'Connection: close',
    '',
    '',
  ].join('\r\n')
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    const socket = connect(port, '127.0.0.1', () => socket.end(Buffer.concat([Buffer.from(head), bytes])))
    socket.on('data', (c: Buffer) => chunks.push(c))
    socket.on('error', reject)
    socket.on('close', () => {
      const text = Buffer.concat(chunks).toString('utf8')
      const split = text.indexOf('\r\n\r\n')
      const [statusLine, ...lines] = text.slice(0, split).split('\r\n')
      const map = new Map<string, string>()
      for (const line of lines) {
        const at = line.indexOf(':')
        map.set(line.slice(0, at).trim().toLowerCase(), line.slice(at + 1).trim())
      }
      let rest = text.slice(split + 4)
      if (map.get('transfer-encoding') === 'chunked') rest = unchunk(rest)
      resolve({ status: Number(statusLine?.split(' ')[1]), headers: map, body: rest })
    })
  })
}

function unchunk(text: string): string {
  let out = ''
  let at = 0
  for (;;) {
    const eol = text.indexOf('\r\n', at)
    const size = Number.parseInt(text.slice(at, eol), 16)
    if (!size) return out
    out += text.slice(eol + 2, eol + 2 + size)
    at = eol + 2 + size + 2
  }
}
