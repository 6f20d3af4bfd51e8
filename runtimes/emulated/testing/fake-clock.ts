/**
 * @module
 * A clock for tests of the emulated operator: time stands still until
 * {@link FakeClock.advance} moves it, firing due timers in order.
 */
import type { Timers } from '../emulated-job.ts'

interface Pending {
  at: number
  fn: () => void
  id: number
}

/** Timers plus a settable `now`. */
export class FakeClock implements Timers {
  #now: number
  #pending: Pending[] = []
  #nextId = 1

  constructor(start = Date.parse('2025-01-01T00:00:00Z')) {
    this.#now = start
  }

  /** The current time (epoch ms). */
  readonly now = (): number => this.#now

  /** The current time as RFC 3339. */
  readonly iso = (): string => new Date(this.#now).toISOString()

  setTimeout(fn: () => void, ms: number): unknown {
    const id = this.#nextId++
    this.#pending.push({ at: this.#now + ms, fn, id })
    return id
  }

  clearTimeout(handle: unknown): void {
    this.#pending = this.#pending.filter((p) => p.id !== handle)
  }

  /** Timers not fired yet. */
  get pending(): number {
    return this.#pending.length
  }

  /** Moves time forward by `ms`, firing every timer that falls due, earliest first. */
  advance(ms: number): void {
    const until = this.#now + ms
    for (;;) {
      const due = this.#pending.filter((p) => p.at <= until).sort((a, b) => a.at - b.at || a.id - b.id)[0]
      if (!due) break
      this.#pending = this.#pending.filter((p) => p !== due)
      this.#now = due.at
      due.fn()
    }
    this.#now = until
  }
}
