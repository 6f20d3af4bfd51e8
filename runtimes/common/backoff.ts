/**
 * @module
 * Waiting between attempts: capped exponential back-off with jitter, an abortable
 * sleep, and a sleep that something else can cut short ({@link Wakeup}).
 */

/** Retry delays for reconnecting to a backend. */
export interface BackoffOptions {
  /** First delay. */
  initialMs: number
  /** Upper bound of any delay. */
  maxMs: number
  /** Fraction of each delay taken off at random, 0 (none) to 1; default 0.5. */
  jitter?: number
}

/** Delays that double from `initialMs` up to `maxMs`, each jittered down by up to `jitter`. */
export class Backoff {
  #attempt = 0
  constructor(
    private readonly options: BackoffOptions,
    private readonly random: () => number = Math.random,
  ) {}

  /** The next delay. */
  next(): number {
    const base = Math.min(this.options.initialMs * 2 ** this.#attempt, this.options.maxMs)
    this.#attempt = Math.min(this.#attempt + 1, 30)
    const jitter = this.options.jitter ?? 0.5
    return Math.round(base * (1 - jitter * this.random()))
  }

  /** Back to the first delay (after a success). */
  reset(): void {
    this.#attempt = 0
  }
}

/** Resolves after `ms`, or at once when the signal aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Wakeup().sleep(ms, signal)
}

/**
 * Sleeps that {@link Wakeup.wake} ends early, for loops that poll but can be told
 * something changed. A wake while nobody sleeps is kept: the next sleep returns at once,
 * so a change between two sleeps is never missed.
 */
export class Wakeup {
  #sleepers = new Set<() => void>()
  #pending = false

  /** Resolves after `ms`, on {@link wake}, or when the signal aborts, whichever comes first. */
  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (this.#pending || signal?.aborted) {
      this.#pending = false
      return Promise.resolve()
    }
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer)
        signal?.removeEventListener('abort', done)
        this.#sleepers.delete(done)
        resolve()
      }
      const timer = setTimeout(done, ms)
      signal?.addEventListener('abort', done, { once: true })
      this.#sleepers.add(done)
    })
  }

  /** Ends every current sleep, or the next one when nobody sleeps. */
  wake(): void {
    if (this.#sleepers.size === 0) {
      this.#pending = true
      return
    }
    for (const done of [...this.#sleepers]) done()
  }
}
