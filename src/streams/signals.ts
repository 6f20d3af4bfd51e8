/**
 * @module
 * The in-process fan-out between what stores changes (the store sink, the services)
 * and what streams them (log followers, event subscribers). A signal carries no data:
 * a woken reader reads SQLite from its own cursor, so a reader's memory does not grow
 * with what it missed, and a reader that is busy when a signal fires loses nothing.
 */

/** A wake-up a reader armed before it read; see {@link Signals.arm}. */
export interface Armed {
  /** Resolves true when the key was notified after arming, false after `timeoutMs` or on abort. */
  wait(timeoutMs: number, signal?: AbortSignal): Promise<boolean>
  /** Stops listening (idempotent); call when not waiting after all. */
  disarm(): void
}

/** Keys a reader can wait on. */
export const signalKey = {
  /** Lines appended to, or the status changed of, one experiment. */
  experiment: (id: string) => `experiment:${id}`,
  /** Any event stored. */
  events: 'events',
} as const

/** Named wake-ups. */
export class Signals {
  readonly #armed = new Map<string, Set<() => void>>()

  /** Wakes every reader armed on `key`. */
  notify(key: string): void {
    const set = this.#armed.get(key)
    if (!set) return
    this.#armed.delete(key)
    for (const wake of set) wake()
  }

  /** Readers armed on `key` right now (for tests and benchmarks). */
  armed(key: string): number {
    return this.#armed.get(key)?.size ?? 0
  }

  /**
   * Arms a wake-up on `key`. Arm *before* reading the store, then wait only if the read
   * found nothing: a change stored between the read and the wait is not missed.
   */
  arm(key: string): Armed {
    let fired = false
    let resolve: ((woken: boolean) => void) | null = null
    const wake = () => {
      fired = true
      resolve?.(true)
    }
    const remove = () => {
      const set = this.#armed.get(key)
      if (!set?.delete(wake)) return
      if (set.size === 0) this.#armed.delete(key)
    }
    let set = this.#armed.get(key)
    if (!set) {
      set = new Set()
      this.#armed.set(key, set)
    }
    set.add(wake)
    return {
      disarm: remove,
      wait: (timeoutMs, signal) => {
        if (fired) return Promise.resolve(true)
        if (signal?.aborted) {
          remove()
          return Promise.resolve(false)
        }
        return new Promise<boolean>((done) => {
          const finish = (woken: boolean) => {
            clearTimeout(timer)
            signal?.removeEventListener('abort', onAbort)
            remove()
            resolve = null
            done(woken)
          }
          const onAbort = () => finish(false)
          const timer = setTimeout(() => finish(false), timeoutMs)
          signal?.addEventListener('abort', onAbort, { once: true })
          resolve = finish
        })
      },
    }
  }
}
