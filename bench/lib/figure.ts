/**
 * @module
 * One row of the bench table: a figure measured beside its anchor in the same run.
 */

/** A measured figure. `ratio` is subject ÷ anchor (or null when the figure has no anchor). */
export interface Figure {
  name: string
  anchorName: string
  /** The subject as printed (with its unit). */
  subject: string
  anchor: string
  ratio: number | null
  goal: string
  /** Whether the goal is met by this run. */
  met: boolean
  /** A row with no goal of its own, printed to explain another (`met` is then ignored). */
  informative?: boolean
  /** Set when the figure could not be measured in this run (no engine, no tool): why. */
  notMeasured?: string
  /** Anything else worth printing under the table. */
  note?: string
}

/** Options every figure takes. */
export interface FigureOptions {
  /** CI's quick mode: fewer rounds, shorter runs. */
  short: boolean
}

/** The median of some numbers. */
export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b)
  const mid = s.length >> 1
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2
}

/** A number with thousands separators and `digits` decimals. */
export function num(n: number, digits = 0): string {
  return n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits })
}
