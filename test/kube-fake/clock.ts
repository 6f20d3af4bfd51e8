/**
 * Timestamps as the API server and kubelet print them.
 * @module
 */

/** RFC 3339 with whole seconds and `Z`, the form of `creationTimestamp` and condition times. */
export function rfc3339(date: Date = new Date()): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z')
}

let lastNanos = 0n

/** Wall-clock nanoseconds since the epoch, strictly increasing within this process. */
export function nowNanos(): bigint {
  let ns = BigInt(Math.floor((performance.timeOrigin + performance.now()) * 1e6))
  if (ns <= lastNanos) ns = lastNanos + 1n
  lastNanos = ns
  return ns
}

/** RFC 3339 with nine fractional digits, as the kubelet prefixes log lines (`timestamps=true`). */
export function rfc3339Nano(nanos: bigint): string {
  const seconds = nanos / 1_000_000_000n
  const fraction = (nanos % 1_000_000_000n).toString().padStart(9, '0')
  return `${new Date(Number(seconds) * 1000).toISOString().slice(0, 19)}.${fraction}Z`
}

/** Parses an RFC 3339 time (fraction optional) to epoch nanoseconds; undefined when malformed. */
export function parseRfc3339Nanos(text: string): bigint | undefined {
  const m = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})$/.exec(text)
  if (!m) return undefined
  const ms = Date.parse(`${m[1]}${m[3]}`)
  if (Number.isNaN(ms)) return undefined
  return BigInt(ms) * 1_000_000n + BigInt((m[2] ?? '').padEnd(9, '0'))
}
