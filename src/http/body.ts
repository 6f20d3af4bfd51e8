/**
 * @module
 * Reads a request body as JSON or YAML, within a size limit.
 */
import type { Context } from 'hono'
import { BodyTooLargeError, errorText, MalformedBodyError, UnsupportedMediaTypeError } from '../errors.ts'

/** Largest body accepted, in bytes. */
export const MAX_BODY_BYTES = 1024 * 1024

const JSON_TYPES = new Set(['', 'application/json', 'text/json'])
const YAML_TYPES = new Set(['application/yaml', 'application/x-yaml', 'text/yaml', 'text/x-yaml'])

/**
 * The parsed body, or `null` when it is empty.
 * @throws UnsupportedMediaTypeError (415), BodyTooLargeError (413), MalformedBodyError (400)
 */
export async function readBody(c: Context): Promise<unknown> {
  const type = (c.req.header('content-type') ?? '').split(';')[0]!.trim().toLowerCase()
  const yaml = YAML_TYPES.has(type)
  if (!yaml && !JSON_TYPES.has(type)) {
    throw new UnsupportedMediaTypeError(`Unsupported content type "${type}"; send Content-Type: application/json or application/yaml`)
  }
  const declared = Number(c.req.header('content-length') ?? 0)
  if (declared > MAX_BODY_BYTES) throw tooLarge()
  const text = await readLimited(c.req.raw)
  if (text.trim() === '') return null
  try {
    return yaml ? Bun.YAML.parse(text) : JSON.parse(text)
  } catch (err) {
    const why = errorText(err)
    throw new MalformedBodyError(`Malformed ${yaml ? 'YAML' : 'JSON'} in request body: ${why}`)
  }
}

function tooLarge(): BodyTooLargeError {
  return new BodyTooLargeError(`Request body is larger than ${MAX_BODY_BYTES} bytes (1 MiB)`)
}

async function readLimited(req: Request): Promise<string> {
  if (!req.body) return ''
  const reader = req.body.getReader()
  const chunks: Uint8Array[] = []
  let size = 0
  for (;;) {
    const { done, value } = await reader.read()
    if (done) break
    size += value.byteLength
    if (size > MAX_BODY_BYTES) {
      await reader.cancel()
      throw tooLarge()
    }
    chunks.push(value)
  }
  return new TextDecoder().decode(Buffer.concat(chunks))
}
