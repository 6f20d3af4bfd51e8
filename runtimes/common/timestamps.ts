/**
 * @module
 * RFC 3339 timestamps with up to nanosecond precision, as Docker and the kubelet
 * write them (RFC3339Nano drops trailing zeros, so the text itself does not sort),
 * compared by the instant they name.
 */

const RFC3339 = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d{1,9}))?(Z|[+-]\d\d:\d\d)$/

/** Nanoseconds since the epoch, or null when `ts` is not RFC 3339. */
export function epochNanos(ts: string): bigint | null {
  const m = RFC3339.exec(ts)
  if (!m) return null
  const ms = Date.parse(`${m[1]}${m[3]}`)
  if (Number.isNaN(ms)) return null
  return BigInt(ms) * 1_000_000n + BigInt((m[2] ?? '').padEnd(9, '0'))
}

/** Orders two timestamps by the instant they name (text order is wrong: `…05Z` is before `…05.1Z`). */
export function compareTimestamps(a: string, b: string): number {
  const x = epochNanos(a)
  const y = epochNanos(b)
  if (x === null || y === null) return a < b ? -1 : a > b ? 1 : 0
  return x < y ? -1 : x > y ? 1 : 0
}

/** Splits `<RFC 3339 time> <text>`; the time is null when the line has no such prefix. */
export function splitTimestamp(raw: string): { ts: string | null; text: string } {
  const space = raw.indexOf(' ')
  const head = space === -1 ? raw : raw.slice(0, space)
  if (epochNanos(head) === null) return { ts: null, text: raw }
  return { ts: head, text: space === -1 ? '' : raw.slice(space + 1) }
}
