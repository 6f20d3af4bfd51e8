/**
 * @module
 * Just enough of Kubernetes resource quantities to double a memory request
 * (Submarine's memory limit) without changing its unit.
 */

const QUANTITY = /^(\d+(?:\.\d*)?|\.\d+)((?:[eE][+-]?\d+)|Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E)?$/

/**
 * Twice a quantity, in the same unit: `1024M` → `2048M`, `1Gi` → `2Gi`, `1.5G` → `3G`,
 * `512` → `1024`. Returns null when the text is not a quantity this function understands
 * (the API server is then the judge of the request; no limit is invented).
 */
export function doubleQuantity(quantity: string): string | null {
  const match = QUANTITY.exec(quantity.trim())
  if (!match) return null
  const [, number, suffix = ''] = match
  // Doubling is exact in binary floating point, so the shortest repr is the exact double.
  const doubled = Number(number) * 2
  const text = String(doubled)
  if (!Number.isFinite(doubled) || text.includes('e')) return null
  return `${text}${suffix}`
}
