/**
 * @module
 * Query parameters of the experiment routes, checked before any answer starts: a bad
 * value is a 400 `INVALID_QUERY` naming the parameter and what it takes.
 */
import { InvalidQueryError } from '../errors.ts'
import { lineMillis } from '../experiments/line-time.ts'

/** Largest count a query parameter takes: exact as a number and as an SQLite integer. */
export const MAX_QUERY_INT = Number.MAX_SAFE_INTEGER

/** A value as it is quoted in an error message: long ones are cut. */
function quoted(value: string): string {
  return `"${value.length > 40 ? `${value.slice(0, 40)}…` : value}"`
}

/** A whole-number parameter from 0 to {@link MAX_QUERY_INT}, or undefined when absent or empty. */
export function intParam(name: string, value: string | undefined): number | undefined {
  if (value === undefined || value === '') return undefined
  const n = /^\d+$/.test(value) ? Number(value) : Number.NaN
  if (!(n <= MAX_QUERY_INT)) {
    throw new InvalidQueryError(
      `Invalid query parameter ${name}=${quoted(value)}; expected a whole number from 0 to ${MAX_QUERY_INT}`,
    )
  }
  return n
}

/** `true`/`false` (or `1`/`0`); absent or empty is false. */
export function boolParam(name: string, value: string | undefined): boolean {
  if (value === undefined || value === '' || value === 'false' || value === '0') return false
  if (value === 'true' || value === '1') return true
  throw new InvalidQueryError(`Invalid query parameter ${name}=${quoted(value)}; expected true or false`)
}

const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/

/** An RFC 3339 time (`2026-11-22T13:03:10Z`, `…10.5+01:00`) as epoch milliseconds, or undefined when absent. */
export function timeParam(name: string, value: string | undefined): number | undefined {
  if (value === undefined || value === '') return undefined
  const ms = RFC3339.test(value) ? lineMillis(value) : Number.NaN
  if (Number.isNaN(ms)) {
    throw new InvalidQueryError(
      `Invalid query parameter ${name}=${quoted(value)}; expected an RFC 3339 time such as 2026-11-22T13:03:10Z`,
    )
  }
  return ms
}
