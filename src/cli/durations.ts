/**
 * @module
 * Durations as people type and read them, the way kubectl does: `--since 10m` and
 * `--timeout 1h30m` in, `3m12s` (a duration) and `5m` (an age) out.
 */

const UNIT_MS = new Map<string, number>([
  ['ms', 1],
  ['s', 1000],
  ['m', 60_000],
  ['h', 3_600_000],
  ['d', 86_400_000],
])

const PART = /(\d+(?:\.\d+)?)(ms|s|m|h|d)/y

/**
 * Milliseconds in a duration such as `90s`, `10m`, `1h30m` or `1.5h` (units ms, s, m,
 * h, d); `0` alone is zero. Undefined when the text is not a duration.
 */
export function parseDuration(text: string): number | undefined {
  if (text === '0') return 0
  if (text === '') return undefined
  let total = 0
  PART.lastIndex = 0
  while (PART.lastIndex < text.length) {
    const at = PART.lastIndex
    const m = PART.exec(text)
    if (!m || m.index !== at) return undefined
    total += Number(m[1]) * UNIT_MS.get(m[2]!)!
  }
  return Number.isFinite(total) ? Math.round(total) : undefined
}

/**
 * A duration for a DURATION column (kubectl's `HumanDuration`): seconds up to two
 * minutes, then `3m12s`, `45m`, `5h10m`, `20h`, `3d4h`, `30d`, `2y10d`.
 */
export function humanDuration(ms: number): string {
  const seconds = Math.floor(ms / 1000)
  if (seconds < -1) return '<invalid>'
  if (seconds < 0) return '0s'
  if (seconds < 120) return `${seconds}s`
  const minutes = Math.floor(seconds / 60)
  if (minutes < 10) return join(minutes, 'm', seconds % 60, 's')
  if (minutes < 180) return `${minutes}m`
  const hours = Math.floor(minutes / 60)
  if (hours < 8) return join(hours, 'h', minutes % 60, 'm')
  if (hours < 48) return `${hours}h`
  const days = Math.floor(hours / 24)
  if (hours < 24 * 8) return join(days, 'd', hours % 24, 'h')
  if (hours < 24 * 365 * 2) return `${days}d`
  const years = Math.floor(days / 365)
  if (hours < 24 * 365 * 8) return join(years, 'y', days % 365, 'd')
  return `${years}y`
}

/** An age for an AGE column (kubectl's `ShortHumanDuration`): one unit, `42s`, `5m`, `2h`, `3d`, `2y`. */
export function shortDuration(ms: number): string {
  const seconds = Math.floor(ms / 1000)
  if (seconds < -1) return '<invalid>'
  if (seconds < 0) return '0s'
  if (seconds < 60) return `${seconds}s`
  const minutes = Math.floor(seconds / 60)
  if (minutes < 60) return `${minutes}m`
  const hours = Math.floor(minutes / 60)
  if (hours < 24) return `${hours}h`
  if (hours < 24 * 365) return `${Math.floor(hours / 24)}d`
  return `${Math.floor(hours / 24 / 365)}y`
}

function join(big: number, bigUnit: string, small: number, smallUnit: string): string {
  return small === 0 ? `${big}${bigUnit}` : `${big}${bigUnit}${small}${smallUnit}`
}
