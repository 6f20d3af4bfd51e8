/**
 * @module
 * Resuming a replica's log exactly where the stored copy ends. Backends re-read
 * from a time (`since` / `sinceTime`), which is inclusive and may be rounded down,
 * so a re-read starts with lines already stored: those before the cursor's time
 * are dropped, and among lines at exactly that time the first `atLastTs` are (they
 * are the stored ones). Lines are compared with the cursor the read started from,
 * not with each other, so two streams whose times interleave (stdout and stderr)
 * lose nothing.
 */
import type { LogCursor, LogLine } from '../../src/runtime/runtime.ts'
import { compareTimestamps } from './timestamps.ts'

/** The cursor of one replica's stored log, kept up to date as lines are accepted. */
export class LogResume {
  #lastTs: string | null
  #atLastTs: number
  #base: string | null = null
  #skip = 0

  constructor(cursor: Pick<LogCursor, 'lastTs' | 'atLastTs'>) {
    this.#lastTs = cursor.lastTs
    this.#atLastTs = cursor.atLastTs
    this.beginRead()
  }

  /** Where the next read starts: the last stored time. */
  get sinceTime(): string | null {
    return this.#lastTs
  }

  /** Call before each re-read from {@link sinceTime}: the stored lines at that time come again. */
  beginRead(): void {
    this.#base = this.#lastTs
    this.#skip = this.#atLastTs
  }

  /** True when the line is not stored yet; the cursor then counts it as stored. */
  accept(line: LogLine): boolean {
    if (this.#base !== null) {
      const order = compareTimestamps(line.ts, this.#base)
      if (order < 0) return false
      if (order === 0 && this.#skip > 0) {
        this.#skip -= 1
        return false
      }
    }
    const order = this.#lastTs === null ? 1 : compareTimestamps(line.ts, this.#lastTs)
    if (order > 0) {
      this.#lastTs = line.ts
      this.#atLastTs = 1
    } else if (order === 0) this.#atLastTs += 1
    return true
  }
}
