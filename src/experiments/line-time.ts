/**
 * @module
 * Times of stored log lines, which come at the precision of their source (the process
 * runtime: milliseconds; Docker and the kubelet: nanoseconds), compared as instants.
 */

/**
 * Epoch milliseconds of an RFC 3339 time of any precision; NaN when it is not one.
 * Digits beyond milliseconds are cut, not rounded (a line is never moved later).
 */
export function lineMillis(time: string): number {
  return Date.parse(time.replace(/(\.\d{3})\d+/, '$1'))
}
