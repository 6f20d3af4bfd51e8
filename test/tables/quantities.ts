/**
 * @module
 * The one table of resource quantities: what the API accepts for `cpu=` and `memory=`
 * (exactly what a Kubernetes API server accepts as a request, except the few values
 * Kubernetes would silently change: above 2^63-1, or longer than 64 characters) and
 * what each runtime makes of them. Read by `src/runtime/quantity.test.ts` and
 * `test/api/quantities.test.ts`.
 */

export interface ValidQuantity {
  text: string
  /** Kubernetes `Value()`: bytes for memory, rounded up. */
  value: bigint
  /** Kubernetes `NanoValue()` rounded up: Docker `NanoCpus` for cpu. */
  nano: bigint
  /** The Kubernetes memory limit: twice the request, same unit. */
  doubled: string
}

export interface InvalidQuantity {
  text: string
  /** A fragment of the reason given. */
  why: string
}

const E = (n: number) => 10n ** BigInt(n)
const MAX = 2n ** 63n - 1n

export const VALID_QUANTITIES: ValidQuantity[] = [
  { text: '1', value: 1n, nano: E(9), doubled: '2' },
  { text: '0', value: 0n, nano: 0n, doubled: '0' },
  { text: '-0', value: 0n, nano: 0n, doubled: '0' },
  { text: '+1', value: 1n, nano: E(9), doubled: '2' },
  { text: '500m', value: 1n, nano: 5n * E(8), doubled: '1000m' },
  { text: '0.5', value: 1n, nano: 5n * E(8), doubled: '1' },
  { text: '2.25', value: 3n, nano: 2_250_000_000n, doubled: '4.5' },
  { text: '1.', value: 1n, nano: E(9), doubled: '2' },
  { text: '.5', value: 1n, nano: 5n * E(8), doubled: '1' },
  { text: '1n', value: 1n, nano: 1n, doubled: '2n' },
  { text: '0.1n', value: 1n, nano: 1n, doubled: '0.2n' },
  { text: '1u', value: 1n, nano: 1000n, doubled: '2u' },
  { text: '1k', value: 1000n, nano: E(12), doubled: '2k' },
  { text: '1024M', value: 1_024_000_000n, nano: 1_024n * E(15), doubled: '2048M' },
  { text: '1.5G', value: 1_500_000_000n, nano: 15n * E(17), doubled: '3G' },
  { text: '2T', value: 2n * E(12), nano: 2n * E(21), doubled: '4T' },
  { text: '1P', value: E(15), nano: E(24), doubled: '2P' },
  { text: '1E', value: E(18), nano: E(27), doubled: '2E' },
  { text: '1Ki', value: 1024n, nano: 1024n * E(9), doubled: '2Ki' },
  { text: '0.1Ki', value: 103n, nano: 102_400_000_000n, doubled: '0.2Ki' },
  { text: '512Mi', value: 512n * 2n ** 20n, nano: 512n * 2n ** 20n * E(9), doubled: '1024Mi' },
  { text: '1Mi', value: 2n ** 20n, nano: 2n ** 20n * E(9), doubled: '2Mi' },
  { text: '1Gi', value: 2n ** 30n, nano: 2n ** 30n * E(9), doubled: '2Gi' },
  { text: '1.5Gi', value: 3n * 2n ** 29n, nano: 3n * 2n ** 29n * E(9), doubled: '3Gi' },
  { text: '1Ti', value: 2n ** 40n, nano: 2n ** 40n * E(9), doubled: '2Ti' },
  { text: '7Ei', value: 7n * 2n ** 60n, nano: 7n * 2n ** 60n * E(9), doubled: '14Ei' },
  { text: '1e9', value: E(9), nano: E(18), doubled: '2e9' },
  { text: '1.5E3', value: 1500n, nano: 15n * E(11), doubled: '3E3' },
  { text: '1E+3', value: 1000n, nano: E(12), doubled: '2E+3' },
  { text: '1e-3', value: 1n, nano: E(6), doubled: '2e-3' },
  { text: '1e0', value: 1n, nano: E(9), doubled: '2e0' },
  { text: '1e-5000', value: 1n, nano: 1n, doubled: '2e-5000' },
  { text: '9223372036854775807', value: MAX, nano: MAX * E(9), doubled: '18446744073709551614' },
  { text: `${'0'.repeat(60)}1`, value: 1n, nano: E(9), doubled: '2' },
]

export const INVALID_QUANTITIES: InvalidQuantity[] = [
  { text: '1K', why: 'unknown suffix "K"' },
  { text: '1KI', why: 'unknown suffix "KI"' },
  { text: '1Kib', why: 'unknown suffix "Kib"' },
  { text: '1mi', why: 'unknown suffix "mi"' },
  { text: '1e', why: 'unknown suffix "e"' },
  { text: '1e+', why: 'unknown suffix "e+"' },
  { text: '1e3m', why: 'unknown suffix "e3m"' },
  { text: '1e1.5', why: 'unknown suffix "e1.5"' },
  { text: '1.1.1', why: 'unknown suffix ".1"' },
  { text: '1 Gi', why: 'unknown suffix " Gi"' },
  { text: '1GB', why: 'unknown suffix "GB"' },
  { text: '0x10', why: 'unknown suffix "x10"' },
  { text: '1_000', why: 'unknown suffix "_000"' },
  { text: '-1', why: 'is negative' },
  { text: '-500m', why: 'is negative' },
  { text: '-1Gi', why: 'is negative' },
  { text: '.', why: 'is not a number' },
  { text: '+', why: 'is not a number' },
  { text: 'Gi', why: 'is not a number' },
  { text: 'k', why: 'is not a number' },
  { text: 'lots', why: 'is not a number' },
  { text: '١', why: 'is not a number' },
  { text: '8Ei', why: 'larger than Kubernetes can represent' },
  { text: '9223372036854775808', why: 'larger than Kubernetes can represent' },
  { text: '1e5000', why: 'larger than Kubernetes can represent' },
  { text: '10E', why: 'larger than Kubernetes can represent' },
  { text: `1${'0'.repeat(64)}`, why: 'is longer than 64 characters' },
]
