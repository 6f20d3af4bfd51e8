/**
 * @module
 * Wakes a job's log followers when a replica writes, instead of polling: one
 * `fs.watch` (inotify on Linux, one watch per job) on the job's `.replicas/`
 * directory, where every replica's log file lies. A burst of writes is read once,
 * on the next turn of the event loop, in slices of {@link WAKE_BYTES} so that one
 * replica printing flat out cannot hold the event loop (or the SQLite write lock)
 * for long; the server's slow poll stays as the safety net for a missed event.
 */
import { type FSWatcher, watch } from 'node:fs'

/** At most this much of one log is read per turn of the event loop (~10k short lines, one sink transaction). */
export const WAKE_BYTES = 64 * 1024

/** What the watch drives: reads up to `maxBytes` of a pod's log; true when it reached the end. */
export type ReadLog = (pod: string, maxBytes: number) => boolean

/** One job's directory watch. */
export class LogWatch {
  #watcher: FSWatcher | null
  /** Pods with a read queued for the next turn of the event loop. */
  #queued = new Set<string>()
  #closed = false

  /** Starts watching `dir`; `watching` is false when the platform refused (the slow poll then does the work). */
  constructor(
    dir: string,
    private readonly read: ReadLog,
  ) {
    this.#watcher = openWatch(dir, (name) => {
      // Only the logs matter: our own `.tail` state writes and the pid/exit files come through here too.
      if (name?.endsWith('.log')) this.wake(name.slice(0, -'.log'.length))
    })
    this.#watcher?.on('error', () => this.#unwatch())
  }

  /** False when the directory is not watched (fs.watch unavailable or failed). */
  get watching(): boolean {
    return this.#watcher !== null
  }

  /** Reads `pod`'s log soon (coalesced: many wakes before the read make one read). */
  wake(pod: string): void {
    if (this.#closed || this.#queued.has(pod)) return
    this.#queued.add(pod)
    setImmediate(() => {
      this.#queued.delete(pod)
      if (this.#closed) return
      let done = true
      try {
        done = this.read(pod, WAKE_BYTES)
      } catch {
        // A log removed under us (job deleted) or a sink failure: the slow poll tries again.
      }
      if (!done) this.wake(pod) // more is there already; no event will come for it
    })
  }

  close(): void {
    this.#closed = true
    this.#unwatch()
  }

  #unwatch(): void {
    try {
      this.#watcher?.close()
    } catch {
      // already closed
    }
    this.#watcher = null
  }
}

/** Whether `fs.watch` works on `dir` here (probed once at start-up). */
export function canWatch(dir: string): boolean {
  const w = openWatch(dir, () => {})
  w?.close()
  return w !== null
}

function openWatch(dir: string, onName: (name: string | null) => void): FSWatcher | null {
  try {
    return watch(dir, { persistent: false }, (_event, name) => onName(typeof name === 'string' ? name : null))
  } catch {
    return null // ENOSPC (inotify watches used up), ENOSYS, a file system without notifications
  }
}
