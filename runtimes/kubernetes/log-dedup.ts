/**
 * @module
 * Pure: parsing `timestamps=true` log lines and resuming a log exactly where the
 * stored copy ends. The kubelet's `sinceTime` is inclusive (and may be rounded to
 * the second), so a re-read starts with lines already stored; they are skipped by
 * timestamp, and among lines sharing the last stored timestamp, the first
 * `atLastTs` are skipped (they are the stored ones).
 */
import type { LogCursor, LogLine } from '../../src/runtime/runtime.ts'

const RFC3339 = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d{1,9}))?(Z|[+-]\d\d:\d\d)$/

/**
 * A sortable key for an RFC 3339 time with up to nanosecond precision (RFC3339Nano
 * drops trailing zeros, so the text itself does not sort). Null when not a time.
 */
export function timeKey(ts: string): string | null {
  const m = RFC3339.exec(ts)
  if (!m) return null
  const [, seconds, fraction = '', zone] = m
  const utc = zone === 'Z' ? seconds! : new Date(`${seconds}${zone}`).toISOString().slice(0, 19)
  return `${utc}.${fraction.padEnd(9, '0')}`
}

/** Splits `<RFC3339Nano> <text>`; a line without a time prefix gets `fallbackTs`. */
export function parseLogLine(raw: string, fallbackTs: string): LogLine {
  const space = raw.indexOf(' ')
  const head = space === -1 ? raw : raw.slice(0, space)
  if (timeKey(head) === null) return { ts: fallbackTs, text: raw }
  return { ts: head, text: space === -1 ? '' : raw.slice(space + 1) }
}

/** Tracks where the stored log ends and drops lines a re-read repeats. */
export class LogDedup {
  #lastTs: string | null
  #lastKey: string | null
  #atLastTs: number
  #skip = 0

  constructor(cursor: Pick<LogCursor, 'lastTs' | 'atLastTs'>) {
    this.#lastTs = cursor.lastTs
    this.#lastKey = cursor.lastTs === null ? null : timeKey(cursor.lastTs)
    this.#atLastTs = cursor.atLastTs
  }

  /** The `sinceTime` for the next read: the last stored timestamp. */
  get sinceTime(): string | undefined {
    return this.#lastTs ?? undefined
  }

  /** Call before each read: it starts again at `sinceTime`, so the stored lines at that time come again. */
  beginRead(): void {
    this.#skip = this.#atLastTs
  }

  /** The lines of `raw` that are not stored yet, in order; updates the cursor as if they were stored. */
  accept(raw: readonly string[]): LogLine[] {
    const fresh: LogLine[] = []
    for (const text of raw) {
      const line = parseLogLine(text, this.#lastTs ?? new Date().toISOString())
      const key = timeKey(line.ts) ?? this.#lastKey ?? ''
      if (this.#lastKey !== null && key < this.#lastKey) continue
      if (this.#lastKey !== null && key === this.#lastKey) {
        if (this.#skip > 0) {
          this.#skip -= 1
          continue
        }
        this.#atLastTs += 1
      } else {
        this.#lastKey = key
        this.#atLastTs = 1
        this.#skip = 0
      }
      this.#lastTs = line.ts
      fresh.push(line)
    }
    return fresh
  }
}
