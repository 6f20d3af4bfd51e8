/**
 * @module
 * Submarine's response envelope: exactly `status, code, success, message, result,
 * attributes`, in that order, nulls written out.
 */

/** Status names (JAX-RS style) for the codes this server answers with. */
export const STATUS_NAMES: Readonly<Record<number, string>> = {
  200: 'OK',
  400: 'BAD_REQUEST',
  401: 'UNAUTHORIZED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  408: 'REQUEST_TIMEOUT',
  409: 'CONFLICT',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  421: 'MISDIRECTED_REQUEST',
  422: 'UNPROCESSABLE_ENTITY',
  429: 'TOO_MANY_REQUESTS',
  431: 'REQUEST_HEADER_FIELDS_TOO_LARGE',
  500: 'INTERNAL_SERVER_ERROR',
  503: 'SERVICE_UNAVAILABLE',
}

const HEADERS = { 'content-type': 'application/json; charset=utf-8' }
const HEAD = '{"status":"OK","code":200,"success":true,"message":null,"result":'
const TAIL = ',"attributes":{}}'

/** A success response around `result`. */
export function ok(result: unknown): Response {
  return new Response(`${HEAD}${JSON.stringify(result)}${TAIL}`, { headers: HEADERS })
}

/**
 * A success response whose `result` JSON is written piece by piece from `result`,
 * so a large list or log is never held in memory whole.
 */
export function okStream(result: Iterable<string>): Response {
  return new Response(streamBody(enveloped(result)), { headers: HEADERS })
}

/** An error response; `attributes.reason` is from the `REASONS` catalogue. */
export function failure(code: number, message: string, attributes: Record<string, unknown>): Response {
  const body = { status: STATUS_NAMES[code] ?? 'BAD_REQUEST', code, success: false, message, result: null, attributes }
  return new Response(JSON.stringify(body), { status: code, headers: HEADERS })
}

function* enveloped(result: Iterable<string>): Generator<string> {
  yield HEAD
  yield* result
  yield TAIL
}

/** Pieces of text as a byte stream, batched into chunks of about 64 KiB. */
function streamBody(parts: Iterable<string>): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder()
  const it = parts[Symbol.iterator]()
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      let chunk = ''
      for (;;) {
        const next = it.next()
        if (next.done) {
          if (chunk) controller.enqueue(encoder.encode(chunk))
          controller.close()
          return
        }
        chunk += next.value
        if (chunk.length >= 65_536) {
          controller.enqueue(encoder.encode(chunk))
          return
        }
      }
    },
    cancel() {
      it.return?.()
    },
  })
}

/** JSON array text of `items`, one element at a time. */
export function* jsonArray<T>(
  items: Iterable<T>,
  write: (item: T) => Iterable<string> = (item) => [JSON.stringify(item)],
): Generator<string> {
  yield '['
  let first = true
  for (const item of items) {
    if (!first) yield ','
    first = false
    yield* write(item)
  }
  yield ']'
}
