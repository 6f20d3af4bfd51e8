/**
 * @module
 * Follows replicas' output into the sink from the moment each container starts,
 * one follower per replica at a time. Each round starts at the sink's cursor
 * (`since` = its last timestamp, then the decoder drops what is stored), so
 * restarts in place and server restarts append, never repeat or lose a line.
 */

import { errorText } from '../../src/errors.ts'
import type { RuntimeSink } from '../../src/runtime/runtime.ts'
import type { ByteStream, DockerClient } from './backend-port.ts'
import { LogDecoder } from './log-decoder.ts'
import { engineSince } from './timestamps.ts'

interface Follower {
  jobId: string
  /** The container started again while this follower was busy: read once more at the end. */
  again: boolean
  stream: ByteStream | null
  done: Promise<void>
}

/** The set of running log followers of one runtime. */
export class LogFollowers {
  #followers = new Map<string, Follower>()
  #closed = false

  constructor(
    private readonly sink: () => RuntimeSink | null,
    private readonly client: () => DockerClient | null,
    private readonly onError: (message: string) => void = () => {},
  ) {}

  /**
   * Follows a replica's container until it stops. `restarted` (the container
   * started again) makes a busy follower read once more when its stream ends.
   */
  follow(jobId: string, pod: string, restarted = false): void {
    if (this.#closed) return
    const key = `${jobId}/${pod}`
    const existing = this.#followers.get(key)
    if (existing) {
      if (restarted) existing.again = true
      return
    }
    const f: Follower = { jobId, again: true, stream: null, done: Promise.resolve() }
    this.#followers.set(key, f)
    f.done = this.#run(f, jobId, pod).finally(() => this.#followers.delete(key))
  }

  /**
   * Resolves once the followers of `pods` (of `jobId`) running now have read their
   * containers' output to its end, or after `timeoutMs`, whichever comes first.
   */
  async drained(jobId: string, pods: Iterable<string>, timeoutMs: number): Promise<void> {
    const pending: Promise<void>[] = []
    for (const pod of pods) {
      const f = this.#followers.get(`${jobId}/${pod}`)
      if (f) pending.push(f.done)
    }
    if (pending.length === 0) return
    let timer: ReturnType<typeof setTimeout> | undefined
    await Promise.race([
      Promise.allSettled(pending),
      new Promise<void>((resolve) => {
        timer = setTimeout(resolve, timeoutMs)
      }),
    ])
    clearTimeout(timer)
  }

  /** Stops following one job's replicas (delete). */
  closeJob(jobId: string): void {
    for (const f of this.#followers.values()) if (f.jobId === jobId) this.#close(f)
  }

  /** Stops every follower (dispose); unfinished last lines are left for the next server to read whole. */
  async closeAll(): Promise<void> {
    this.#closed = true
    const all = [...this.#followers.values()]
    for (const f of all) this.#close(f)
    await Promise.allSettled(all.map((f) => f.done))
  }

  #close(f: Follower): void {
    f.again = false
    f.stream?.close()
  }

  async #run(f: Follower, jobId: string, pod: string): Promise<void> {
    while (f.again && !this.#closed) {
      f.again = false
      const sink = this.sink()
      const client = this.client()
      if (!sink || !client) return
      const cursor = sink.logCursor(jobId, pod)
      const decoder = new LogDecoder(cursor)
      let stream: ByteStream
      try {
        stream = await client.followLogs(pod, engineSince(cursor.lastTs))
      } catch (err) {
        // Gone or being removed (deleted), or the engine is down: the next start or re-list follows again.
        const gone = err instanceof Error && 'kind' in err && (err.kind === 'not-found' || err.kind === 'conflict')
        if (!gone) this.onError(`logs of ${pod}: ${errorText(err)}`)
        return
      }
      f.stream = stream
      let ended = false
      try {
        for await (const chunk of stream) {
          const lines = decoder.push(chunk)
          if (lines.length) sink.log(jobId, pod, lines)
        }
        ended = true
      } catch {
        // Closed by us or cut by the engine; a later round resumes from the cursor.
      } finally {
        f.stream = null
      }
      if (ended && !this.#closed) {
        const rest = decoder.end()
        if (rest.length) sink.log(jobId, pod, rest)
      }
    }
  }
}
