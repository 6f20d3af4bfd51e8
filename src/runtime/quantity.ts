/**
 * @module
 * Kubernetes resource quantities (`resource.Quantity`, apimachinery
 * `pkg/api/resource/quantity.go`), the one grammar the API validates and every
 * runtime translates:
 *
 * ```
 * <quantity>        ::= <signedNumber><suffix>
 * <suffix>          ::= <binarySI> | <decimalExponent> | <decimalSI>
 * <binarySI>        ::= Ki | Mi | Gi | Ti | Pi | Ei
 * <decimalSI>       ::= n | u | m | "" | k | M | G | T | P | E
 * <decimalExponent> ::= "e" <signedInteger> | "E" <signedInteger>
 * <signedNumber>    ::= <number> | <sign><number>
 * <number>          ::= <digits> | <digits>.<digits> | <digits>. | .<digits>
 * <sign>            ::= "+" | "-"
 * ```
 *
 * Plain `K` is not a suffix (`1K` is refused, as by Kubernetes); `1E` is 10^18 while
 * `1e` is nothing. Go's parser also takes a few degenerate strings as zero (`.`, `+`,
 * `k`); those are outside the grammar and refused here. Values are exact (bigint);
 * Kubernetes rounds a value up to 10^-9 (nano) and clamps it at 2^63-1, so a value
 * above 2^63-1 is refused here rather than silently changed.
 */

/** The largest value Kubernetes stores (2^63-1, in the quantity's unit). */
export const MAX_QUANTITY = 2n ** 63n - 1n

/** Longest quantity text taken (Kubernetes sets none; no real request is longer). */
export const MAX_QUANTITY_LENGTH = 64

const DECIMAL_SI = new Map<string, number>([
  ['n', -9],
  ['u', -6],
  ['m', -3],
  ['', 0],
  ['k', 3],
  ['M', 6],
  ['G', 9],
  ['T', 12],
  ['P', 15],
  ['E', 18],
])
const BINARY_SI = new Map<string, number>([
  ['Ki', 10],
  ['Mi', 20],
  ['Gi', 30],
  ['Ti', 40],
  ['Pi', 50],
  ['Ei', 60],
])

const GRAMMAR = /^([+-]?)(\d+\.?\d*|\.\d+)(Ki|Mi|Gi|Ti|Pi|Ei|[eE][+-]?\d+|[numkMGTPE]?)$/

/** A parsed quantity: its value is `sign × coefficient × 10^exp10 × 2^exp2`, exactly. */
export interface Quantity {
  /** The text as given. */
  text: string
  negative: boolean
  /** The number's digits without the point, leading zeros dropped. */
  coefficient: bigint
  exp10: number
  exp2: number
  /** The number as written, without sign (`1.5`), and the suffix (`Gi`, `e3`, `m`, ``). */
  number: string
  suffix: string
}

/** Why a text is not a quantity, as a phrase (`has an unknown suffix "K"`). */
export type QuantityError = { error: string }

/** Parses a quantity; returns the reason when the text is not one. */
export function parseQuantity(text: string): Quantity | QuantityError {
  if (text.length > MAX_QUANTITY_LENGTH) return { error: `is longer than ${MAX_QUANTITY_LENGTH} characters` }
  const m = GRAMMAR.exec(text)
  if (!m) {
    const n = /^[+-]?(\d+\.?\d*|\.\d+)(.*)$/.exec(text)
    if (n)
      return {
        error:
          `has an unknown suffix "${n[2]}" ` +
          '(expected one of n, u, m, k, M, G, T, P, E, Ki, Mi, Gi, Ti, Pi, Ei, or an exponent such as e3)',
      }
    return { error: 'is not a number with an optional suffix' }
  }
  const [, sign, number, suffix] = m as unknown as [string, string, string, string]
  const point = number.indexOf('.')
  const fraction = point < 0 ? '' : number.slice(point + 1)
  const coefficient = BigInt((point < 0 ? number : number.slice(0, point)) + fraction || '0')
  let exp10 = -fraction.length
  let exp2 = 0
  const binary = BINARY_SI.get(suffix)
  if (binary !== undefined) exp2 = binary
  else if (suffix.length > 1 && (suffix[0] === 'e' || suffix[0] === 'E')) {
    // Longer exponents than this make any non-zero value too large or below a nano (1n).
    const e = Number(suffix.slice(1))
    exp10 += Math.max(-1000, Math.min(1000, e))
  } else exp10 += DECIMAL_SI.get(suffix)!
  return { text, negative: sign === '-' && coefficient !== 0n, coefficient, exp10, exp2, number, suffix }
}

/** True for the result of a successful {@link parseQuantity}. */
export function isQuantity(q: Quantity | QuantityError): q is Quantity {
  return !('error' in q)
}

/** `ceil(|value| × 10^scale)`, exactly: scale 0 is Kubernetes' `Value()`, 9 its nano value. */
export function scaledCeil(q: Quantity, scale: number): bigint {
  const e10 = q.exp10 + scale
  const numerator = q.coefficient * 2n ** BigInt(q.exp2) * (e10 > 0 ? 10n ** BigInt(e10) : 1n)
  const denominator = e10 < 0 ? 10n ** BigInt(-e10) : 1n
  return (numerator + denominator - 1n) / denominator
}

/**
 * Why a quantity cannot be a resource request, or null when it can: not negative,
 * and at most {@link MAX_QUANTITY}.
 */
export function requestProblem(q: Quantity): string | null {
  if (q.negative) return 'is negative (a request must be zero or more)'
  if (q.coefficient !== 0n && q.exp10 > 40) return `is larger than Kubernetes can represent (at most ${MAX_QUANTITY})`
  if (scaledCeil(q, 0) > MAX_QUANTITY) return `is larger than Kubernetes can represent (at most ${MAX_QUANTITY})`
  return null
}

/** A quantity that can be a resource request (see {@link requestProblem}), or why not. */
export function parseRequest(text: string): Quantity | QuantityError {
  const q = parseQuantity(text)
  if (!isQuantity(q)) return q
  const problem = requestProblem(q)
  return problem ? { error: problem } : q
}

/**
 * Twice a quantity, written in the same unit: `1Gi` → `2Gi`, `1024M` → `2048M`,
 * `1.5G` → `3G`, `500m` → `1000m`, `1e3` → `2e3`. Exact (decimal arithmetic).
 */
export function doubleQuantity(q: Quantity): string {
  const point = q.number.indexOf('.')
  const places = point < 0 ? 0 : q.number.length - point - 1
  let digits = (q.coefficient * 2n).toString().padStart(places + 1, '0')
  if (places > 0) digits = `${digits.slice(0, -places)}.${digits.slice(-places)}`.replace(/\.?0+$/, '')
  return `${q.negative ? '-' : ''}${digits}${q.suffix}`
}
