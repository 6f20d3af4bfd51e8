/**
 * @module
 * Aligned text tables in kubectl's layout: upper-case headers, columns left-aligned
 * and three spaces apart, the last column not padded.
 */

/** A cell: its text, and how to paint it once padded (colour must not count towards the width). */
export type Cell = string | { text: string; paint: (padded: string) => string }

const GAP = '   '

/** The table as lines, each ending in a newline. */
export function renderTable(headers: readonly string[], rows: readonly (readonly Cell[])[]): string {
  const text = (c: Cell) => (typeof c === 'string' ? c : c.text)
  const widths = headers.map((h, i) =>
    Math.max(Bun.stringWidth(h), ...rows.map((r) => Bun.stringWidth(text(r[i] ?? '')))),
  )
  const line = (cells: readonly Cell[]) =>
    cells
      .map((c, i) => {
        const t = text(c)
        const padded = i === cells.length - 1 ? t : t + ' '.repeat(widths[i]! - Bun.stringWidth(t))
        return typeof c === 'string' ? padded : c.paint(padded)
      })
      .join(GAP)
      .trimEnd()
  return [headers, ...rows].map((r) => `${line(r)}\n`).join('')
}
