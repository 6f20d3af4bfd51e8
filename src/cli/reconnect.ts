/**
 * @module
 * Staying on a stream across dropped connections: short growing pauses between
 * attempts, and giving up once the server has been unreachable for a while.
 */
import { CliError } from './cli-errors.ts'

/** How long a stream keeps trying to come back before the command fails. */
export const RECONNECT_WINDOW_MS = 30_000

/** Sleeps `ms`, or less if `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted || ms <= 0) return Promise.resolve()
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer)
      signal?.removeEventListener('abort', done)
      resolve()
    }
    const timer = setTimeout(done, ms)
    signal?.addEventListener('abort', done, { once: true })
  })
}

/** Paces the attempts after a drop; {@link Reconnect.succeeded} resets it. */
export class Reconnect {
  private failingSince: number | undefined
  private pauseMs = 0

  constructor(
    private readonly now: () => number,
    private readonly windowMs = RECONNECT_WINDOW_MS,
  ) {}

  /** The stream worked again. */
  succeeded(): void {
    this.failingSince = undefined
    this.pauseMs = 0
  }

  /** After a failure: waits before the next attempt, or throws `err` once the window is over. */
  async failed(err: unknown, signal?: AbortSignal): Promise<void> {
    const now = this.now()
    this.failingSince ??= now
    if (now - this.failingSince >= this.windowMs) throw err instanceof Error ? err : new CliError(String(err))
    this.pauseMs = Math.min(2000, Math.max(100, this.pauseMs * 2))
    await sleep(this.pauseMs, signal)
  }
}
