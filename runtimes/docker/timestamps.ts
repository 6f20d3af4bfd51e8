/**
 * @module
 * Docker's RFC 3339 timestamps (nanosecond precision, variable or fixed fraction)
 * compared exactly, and converted to what the Engine API and the job status use.
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

/** The Engine API's `since` (`<seconds>.<nanoseconds>`) for a timestamp, or undefined. */
export function engineSince(ts: string | null): string | undefined {
  const n = ts === null ? null : epochNanos(ts)
  if (n === null || n <= 0n) return undefined
  return `${n / 1_000_000_000n}.${String(n % 1_000_000_000n).padStart(9, '0')}`
}

/** `new Date().toISOString()` form (what job statuses carry) of a Docker time; null for Go's zero time. */
export function isoMillis(ts: string | undefined): string | null {
  if (!ts) return null
  const n = epochNanos(ts)
  if (n === null || n <= 0n) return null
  return new Date(Number(n / 1_000_000n)).toISOString()
}

/** ISO form of an event's `timeNano`, falling back to `time` (seconds). */
export function eventTime(timeNano: number | undefined, time: number | undefined): string | null {
  if (typeof timeNano === 'number' && timeNano > 0) return new Date(Math.floor(timeNano / 1e6)).toISOString()
  if (typeof time === 'number' && time > 0) return new Date(time * 1000).toISOString()
  return null
}
