/**
 * @module
 * Capped exponential back-off with jitter, and an abortable sleep.
 */

/** Retry delays for reconnecting to the API server. */
export interface BackoffOptions {
  /** First delay. */
  initialMs: number
  /** Upper bound of any delay. */
  maxMs: number
}

/** Delays that double from `initialMs` up to `maxMs`, each jittered down by up to half. */
export class Backoff {
  #attempt = 0
  constructor(private readonly options: BackoffOptions) {}

  /** The next delay. */
  next(): number {
    const base = Math.min(this.options.initialMs * 2 ** this.#attempt, this.options.maxMs)
    this.#attempt = Math.min(this.#attempt + 1, 30)
    return Math.round(base * (0.5 + Math.random() / 2))
  }

  /** Back to the first delay (after a success). */
  reset(): void {
    this.#attempt = 0
  }
}

/** Resolves after `ms`, or at once when the signal aborts. */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve()
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer)
      signal.removeEventListener('abort', done)
      resolve()
    }
    const timer = setTimeout(done, ms)
    signal.addEventListener('abort', done, { once: true })
  })
}
