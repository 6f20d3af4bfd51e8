/**
 * @module
 * Docker's RFC 3339 timestamps converted to what the Engine API and the job status use.
 */

import { epochNanos } from '../common/timestamps.ts'

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
