/**
 * @module
 * Reads a request body as JSON or YAML, within a size limit.
 */
import type { Context } from 'hono'
import {
  BodyTooLargeError,
  errorText,
  MalformedBodyError,
  RequestTimeoutError,
  UnsupportedMediaTypeError,
} from '../errors.ts'
import type { RequestCheck } from './around-routes.ts'
import { findJsonSyntaxError } from './json-syntax.ts'
import { WRITE_METHODS } from './origin.ts'

declare module 'hono' {
  interface ContextVariableMap {
    /** When the body must have arrived by (ms since the epoch); set by {@link bodyDeadline}. */
    bodyDeadline: number
    /** The request timeout the deadline came from, for the message. */
    bodyTimeoutMs: number
  }
}

/**
 * Gives every request `timeoutMs` from its arrival for its body to arrive. Bun's idle
 * timeout restarts whenever 16 KiB arrive, so a body trickled in at that pace could hold
 * a connection for an hour; the deadline bounds it.
 */
export function bodyDeadline(timeoutMs: number): RequestCheck {
  return (c) => {
    if (!WRITE_METHODS.has(c.req.method)) return undefined // no body to wait for
    c.set('bodyDeadline', Date.now() + timeoutMs)
    c.set('bodyTimeoutMs', timeoutMs)
    return undefined
  }
}

/** Largest body accepted, in bytes. */
export const MAX_BODY_BYTES = 1024 * 1024

const JSON_TYPES = new Set(['application/json', 'text/json'])
const YAML_TYPES = new Set(['application/yaml', 'application/x-yaml', 'text/yaml', 'text/x-yaml'])

/** The media type of a `Content-Type` header, lower case, without parameters ('' when absent). */
export function mediaType(header: string | undefined): string {
  return (header ?? '').split(';')[0]!.trim().toLowerCase()
}

/**
 * The 415 for a body type that is not JSON or YAML, or null when it is. A missing type is
 * refused too: a browser sends a body without one (a Blob) cross-origin without asking first.
 */
export function unsupportedType(header: string | undefined): UnsupportedMediaTypeError | null {
  const type = mediaType(header)
  if (JSON_TYPES.has(type) || YAML_TYPES.has(type)) return null
  return new UnsupportedMediaTypeError(
    type === ''
      ? 'The request has no Content-Type; send Content-Type: application/json or application/yaml'
      : `Unsupported content type "${type}"; send Content-Type: application/json or application/yaml`,
  )
}

/**
 * The parsed body, or `null` when it is empty.
 * @throws UnsupportedMediaTypeError (415), BodyTooLargeError (413), MalformedBodyError (400),
 *   RequestTimeoutError (408) when the body has not arrived by the request's deadline
 */
export async function readBody(c: Context): Promise<unknown> {
  const refused = unsupportedType(c.req.header('content-type'))
  if (refused) throw refused
  const yaml = YAML_TYPES.has(mediaType(c.req.header('content-type')))
  const declared = Number(c.req.header('content-length') ?? 0)
  if (declared > MAX_BODY_BYTES) throw tooLarge()
  const text = await readLimited(c.req.raw, c.get('bodyDeadline'), c.get('bodyTimeoutMs'))
  if (text.trim() === '') return null
  try {
    return yaml ? Bun.YAML.parse(text) : JSON.parse(text)
  } catch (err) {
    const why = errorText(err)
    // Bun's YAML parser gives no position; JSON's is found by scanning the text again.
    const at = yaml ? null : findJsonSyntaxError(text)
    if (at)
      throw new MalformedBodyError(
        `Malformed JSON in request body at line ${at.line}, column ${at.column}: ${at.problem} (${why})`,
      )
    throw new MalformedBodyError(`Malformed ${yaml ? 'YAML' : 'JSON'} in request body: ${why}`)
  }
}

/** Refuses bytes that are not UTF-8 instead of reading them as U+FFFD. */
const UTF8 = new TextDecoder('utf-8', { fatal: true })

function tooLarge(): BodyTooLargeError {
  return new BodyTooLargeError(`Request body is larger than ${MAX_BODY_BYTES} bytes (1 MiB)`)
}

async function readLimited(req: Request, deadline?: number, timeoutMs?: number): Promise<string> {
  if (!req.body) return ''
  const reader = req.body.getReader()
  const chunks: Uint8Array[] = []
  let size = 0
  let timer: ReturnType<typeof setTimeout> | undefined
  const late =
    deadline === undefined
      ? null
      : new Promise<never>((_, reject) => {
          timer = setTimeout(
            () =>
              reject(
                new RequestTimeoutError(
                  `Request body did not arrive within ${(timeoutMs ?? 0) / 1000} s ` +
                    `(${size} bytes came); send it at once`,
                ),
              ),
            Math.max(0, deadline - Date.now()),
          )
        })
  late?.catch(() => undefined) // rejected only while a read races it
  for (;;) {
    let step: Awaited<ReturnType<typeof reader.read>>
    try {
      step = await (late ? Promise.race([reader.read(), late]) : reader.read())
    } catch (err) {
      clearTimeout(timer)
      if (err instanceof RequestTimeoutError) await reader.cancel().catch(() => undefined)
      throw err
    }
    const { done, value } = step
    if (done) break
    size += value.byteLength
    if (size > MAX_BODY_BYTES) {
      clearTimeout(timer)
      await reader.cancel()
      throw tooLarge()
    }
    chunks.push(value)
  }
  clearTimeout(timer)
  const bytes = Buffer.concat(chunks)
  try {
    return UTF8.decode(bytes)
  } catch {
    throw new MalformedBodyError(
      `Malformed request body: it is not valid UTF-8 (the first bad byte is at offset ${firstBadByte(bytes)}); ` +
        'send the body encoded as UTF-8',
    )
  }
}

/** Offset of the first byte that is not part of a well-formed UTF-8 sequence (Unicode Table 3-7). */
function firstBadByte(bytes: Uint8Array): number {
  for (let i = 0; i < bytes.length; ) {
    const b = bytes[i]!
    const [n, lo, hi] =
      b < 0x80
        ? [0, 0, 0]
        : b >= 0xc2 && b <= 0xdf
          ? [1, 0x80, 0xbf]
          : b === 0xe0
            ? [2, 0xa0, 0xbf]
            : b === 0xed
              ? [2, 0x80, 0x9f]
              : b >= 0xe1 && b <= 0xef
                ? [2, 0x80, 0xbf]
                : b === 0xf0
                  ? [3, 0x90, 0xbf]
                  : b === 0xf4
                    ? [3, 0x80, 0x8f]
                    : b >= 0xf1 && b <= 0xf3
                      ? [3, 0x80, 0xbf]
                      : [-1, 0, 0]
    if (n < 0) return i
    for (let k = 1; k <= n; k++) {
      const c = bytes[i + k]
      if (c === undefined || c < (k === 1 ? lo : 0x80) || c > (k === 1 ? hi : 0xbf)) return i
    }
    i += n + 1
  }
  return bytes.length
}
