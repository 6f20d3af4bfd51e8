/**
 * @module
 * The `Idempotency-Key` request header: read and checked once at the edge, and paired with a
 * hash of the parsed body (pure). Any route that creates something calls {@link idempotencyOf}
 * with its context and body and hands the result to `IdempotencyStore.claim`.
 */
import { createHash } from 'node:crypto'
import type { Context } from 'hono'
import { InvalidHeaderError } from '../errors.ts'
import type { IdempotencyRequest } from '../storage/idempotency-store.ts'

export const IDEMPOTENCY_HEADER = 'Idempotency-Key'
/** Set to `true` on an answer that repeats the result of an earlier request with the same key. */
export const REPLAYED_HEADER = 'Idempotent-Replayed'
const MAX_KEY_LENGTH = 255

/**
 * The request's key with the hash of `body`, or null when it sends no key.
 * @throws InvalidHeaderError (400) for an empty, over-long or non-printable key
 */
export function idempotencyOf(c: Context, body: unknown): IdempotencyRequest | null {
  const key = c.req.header(IDEMPOTENCY_HEADER)
  if (key === undefined) return null
  return { key: checkKey(key), bodyHash: bodyHash(body) }
}

/** A key as sent, if it is 1 to 255 printable ASCII characters. */
export function checkKey(key: string): string {
  if (key.length === 0 || key.length > MAX_KEY_LENGTH || !/^[\x20-\x7e]+$/.test(key)) {
    throw new InvalidHeaderError(
      `Invalid ${IDEMPOTENCY_HEADER} header: expected 1 to ${MAX_KEY_LENGTH} printable ASCII characters ` +
        `(a UUID is typical), got ${key.length === 0 ? 'an empty value' : `${key.length} characters`}`,
    )
  }
  return key
}

/**
 * SHA-256 of the body's canonical JSON (object keys sorted): the same document sent as JSON or
 * YAML, or with its keys in another order, is the same body.
 */
export function bodyHash(body: unknown): string {
  return createHash('sha256').update(canonicalJson(body)).digest('hex')
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`
  if (value !== null && typeof value === 'object') {
    const entries = Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`)
    return `{${entries.join(',')}}`
  }
  return JSON.stringify(value) ?? 'null'
}
