/**
 * @module
 * List-then-watch over one collection, kept alive for as long as the runtime runs:
 * it lists, watches from the list's resourceVersion, resumes from the last seen
 * resourceVersion after a stream ends or drops (BOOKMARKs included), relists when
 * the server says that version has expired (410 at connect or as an in-stream
 * `ERROR`), and retries failures with capped back-off. The consumer sees a full
 * snapshot after every (re)list, so it can notice deletions it missed, and every
 * event in between.
 */
import { Backoff, type BackoffOptions, sleep } from '../common/backoff.ts'
import type { KubePort, ResourceRef } from './backend-port.ts'
import { httpCode, KubeApiError } from './errors.ts'
import type { KubeObject, KubeStatus, WatchEvent } from './kube-types.ts'

/** What the watcher reports. */
export interface WatchHandlers {
  /** The full current set, after the first list and after every relist. */
  sync(items: KubeObject[]): void
  /** One change between lists. */
  event(type: 'ADDED' | 'MODIFIED' | 'DELETED', object: KubeObject): void
  /** A list or watch failed (it is retried); null once the collection answers again. */
  health(error: unknown | null): void
}

export interface ResourceWatcherOptions {
  ref: ResourceRef
  labelSelector: string
  /** Server-side lifetime of one watch request. */
  timeoutSeconds: number
  backoff: BackoffOptions
}

/** A reconnecting list-then-watch loop. */
export class ResourceWatcher {
  readonly #port: KubePort
  readonly #options: ResourceWatcherOptions
  readonly #handlers: WatchHandlers
  readonly #stop = new AbortController()
  readonly #backoff: Backoff
  #resourceVersion: string | null = null
  #loop: Promise<void> | null = null
  #firstAttempt: Promise<void>
  #firstAttemptDone!: () => void

  constructor(port: KubePort, options: ResourceWatcherOptions, handlers: WatchHandlers) {
    this.#port = port
    this.#options = options
    this.#handlers = handlers
    this.#backoff = new Backoff(options.backoff)
    this.#firstAttempt = new Promise((resolve) => (this.#firstAttemptDone = resolve))
  }

  /** Starts the loop; resolves once the first list has succeeded or failed. */
  start(): Promise<void> {
    this.#loop ??= this.#run()
    return this.#firstAttempt
  }

  /** Stops watching (idempotent). */
  async stop(): Promise<void> {
    this.#stop.abort()
    this.#firstAttemptDone()
    await this.#loop
  }

  async #run(): Promise<void> {
    const signal = this.#stop.signal
    while (!signal.aborted) {
      if (this.#resourceVersion === null && !(await this.#list())) {
        await sleep(this.#backoff.next(), signal)
        continue
      }
      const started = Date.now()
      let events = 0
      try {
        events = await this.#watch()
      } catch (err) {
        if (signal.aborted) break
        if (httpCode(err) === 410) {
          this.#resourceVersion = null
          continue
        }
        this.#handlers.health(err)
        await sleep(this.#backoff.next(), signal)
        continue
      }
      // A stream the server ends at once, again and again, must not become a busy loop.
      if (events === 0 && Date.now() - started < 1000) await sleep(this.#backoff.next(), signal)
      else this.#backoff.reset()
    }
  }

  /** Lists and reports the snapshot; false when the list failed. */
  async #list(): Promise<boolean> {
    try {
      const list = await this.#port.list(this.#options.ref, this.#options.labelSelector)
      if (this.#stop.signal.aborted) return false
      this.#resourceVersion = list.metadata?.resourceVersion ?? ''
      this.#handlers.health(null)
      guard(() => this.#handlers.sync(list.items ?? []))
      this.#backoff.reset()
      return true
    } catch (err) {
      if (!this.#stop.signal.aborted) this.#handlers.health(err)
      return false
    } finally {
      this.#firstAttemptDone()
    }
  }

  /** One watch request; resolves with the number of events seen when the stream ends. */
  async #watch(): Promise<number> {
    const stream = new AbortController()
    const signal = AbortSignal.any([this.#stop.signal, stream.signal])
    let events = 0
    const outcome: { failure: KubeApiError | null } = { failure: null }
    await this.#port.watch(
      this.#options.ref,
      {
        labelSelector: this.#options.labelSelector,
        resourceVersion: this.#resourceVersion ?? '',
        timeoutSeconds: this.#options.timeoutSeconds,
      },
      (event: WatchEvent) => {
        if (outcome.failure || this.#stop.signal.aborted) return
        events += 1
        if (event.type === 'ERROR') {
          const status = event.object as KubeStatus
          outcome.failure = new KubeApiError(status.code ?? 500, status)
          stream.abort()
          return
        }
        const rv = event.object.metadata?.resourceVersion
        if (rv) this.#resourceVersion = rv
        if (event.type !== 'BOOKMARK') {
          const { type, object } = event
          guard(() => this.#handlers.event(type, object))
        }
      },
      signal,
      () => this.#handlers.health(null),
    )
    if (outcome.failure) throw outcome.failure
    return events
  }
}

/** A consumer's bug must not kill the loop (it would stop all status updates). */
function guard(fn: () => void): void {
  try {
    fn()
  } catch (err) {
    console.error('kubernetes runtime: a watch handler failed', err)
  }
}
