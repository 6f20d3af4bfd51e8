/**
 * @module
 * Submarine's response envelope: exactly `status, code, success, message, result,
 * attributes`, in that order, nulls written out.
 */

import { API_SECURITY_HEADERS, secured } from './security-headers.ts'

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

// One Headers object: each answer copies it natively, cheaper than reading a plain object each time.
const HEADERS = new Headers({ 'content-type': 'application/json; charset=utf-8', ...API_SECURITY_HEADERS })
const HEAD = '{"status":"OK","code":200,"success":true,"message":null,"result":'
const TAIL = ',"attributes":{}}'

/** A success response around `result`. */
export function ok(result: unknown): Response {
  return secured(new Response(`${HEAD}${JSON.stringify(result)}${TAIL}`, { headers: HEADERS }))
}

const encoder = new TextEncoder()

/** The success envelope around `resultJson` (JSON text), as the bytes of an answer. */
export function envelopeBytes(resultJson: string): Uint8Array {
  return encoder.encode(`${HEAD}${resultJson}${TAIL}`)
}

/** A success response of bytes from {@link envelopeBytes} or {@link okKept}. */
export function okBytes(bytes: Uint8Array): Response {
  return secured(new Response(bytes, { headers: HEADERS }))
}

/**
 * {@link okStream}, except that an answer of at most `maxChars` characters is collected
 * whole and handed to `keep` as bytes first (see `answer-cache.ts`); a longer one is
 * streamed, its start included, and not kept.
 */
export function okKept(result: Iterable<string>, maxChars: number, keep: (bytes: Uint8Array) => void): Response {
  const parts = enveloped(result)
  let text = ''
  // Not for…of: leaving that loop would close the generator the stream goes on with.
  for (let next = parts.next(); !next.done; next = parts.next()) {
    text += next.value
    if (text.length > maxChars) return secured(new Response(streamBody(continued(text, parts)), { headers: HEADERS }))
  }
  const bytes = encoder.encode(text)
  keep(bytes)
  return okBytes(bytes)
}

function* continued(start: string, rest: Iterator<string>): Generator<string> {
  yield start
  for (let next = rest.next(); !next.done; next = rest.next()) yield next.value
}

/**
 * A success response whose `result` JSON is written piece by piece from `result`,
 * so a large list or log is never held in memory whole.
 */
export function okStream(result: Iterable<string>): Response {
  return secured(new Response(streamBody(enveloped(result)), { headers: HEADERS }))
}

/** An error response; `attributes.reason` is from the `REASONS` catalogue. */
export function failure(code: number, message: string, attributes: Record<string, unknown>): Response {
  const body = { status: STATUS_NAMES[code] ?? 'BAD_REQUEST', code, success: false, message, result: null, attributes }
  return secured(new Response(JSON.stringify(body), { status: code, headers: HEADERS }))
}

function* enveloped(result: Iterable<string>): Generator<string> {
  yield HEAD
  yield* result
  yield TAIL
}

/** Pieces of text as a byte stream, batched into chunks of about 64 KiB. */
function streamBody(parts: Iterable<string>): ReadableStream<Uint8Array> {
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
