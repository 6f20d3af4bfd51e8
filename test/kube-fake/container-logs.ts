/**
 * Per-container-instance log buffers, the kubelet's view of `docker logs`: each instance (one per
 * start, keyed by containerID) keeps its timestamped lines, and followers get new lines until the
 * instance exits.
 * @module
 */
import { nowNanos } from './clock.ts'

/** One captured line (or a final partial line), stamped when the fake read it. */
export interface LogEntry {
  nanos: bigint
  /** The text, with its trailing newline when the line was complete. */
  text: string
}

/** Called with each new entry, then with null when the instance has exited. */
export type LogFollower = (entry: LogEntry | null) => void

/** The log of one container instance. */
export class ContainerLog {
  readonly containerID: string
  readonly entries: LogEntry[] = []
  #ended = false
  #followers = new Set<LogFollower>()

  constructor(containerID: string) {
    this.containerID = containerID
  }

  /** True once the instance has exited (followers are closed). */
  get ended(): boolean {
    return this.#ended
  }

  /** Appends text; complete lines should end with `\n`. */
  append(text: string, nanos: bigint = nowNanos()): void {
    if (this.#ended) return
    const entry = { nanos, text }
    this.entries.push(entry)
    for (const f of [...this.#followers]) f(entry)
  }

  /** Marks the instance exited and closes every follower. */
  end(): void {
    if (this.#ended) return
    this.#ended = true
    for (const f of [...this.#followers]) f(null)
    this.#followers.clear()
  }

  /** Subscribes to later entries; returns the unsubscribe function. */
  follow(follower: LogFollower): () => void {
    if (this.#ended) {
      follower(null)
      return () => {}
    }
    this.#followers.add(follower)
    return () => this.#followers.delete(follower)
  }
}

/** Every container instance's log, grouped by pod so a deleted pod's logs go with it. */
export class LogRegistry {
  #byId = new Map<string, ContainerLog>()
  #byPod = new Map<string, Set<string>>()

  /** Opens the log of a new container instance. */
  open(podUid: string, containerID: string): ContainerLog {
    const log = new ContainerLog(containerID)
    this.#byId.set(containerID, log)
    let ids = this.#byPod.get(podUid)
    if (!ids) {
      ids = new Set()
      this.#byPod.set(podUid, ids)
    }
    ids.add(containerID)
    return log
  }

  /** The log of a container instance, if it still exists. */
  get(containerID: string): ContainerLog | undefined {
    return this.#byId.get(containerID)
  }

  /** Forgets a pod's logs (the pod is gone), closing any follower. */
  dropPod(podUid: string): void {
    for (const id of this.#byPod.get(podUid) ?? []) {
      this.#byId.get(id)?.end()
      this.#byId.delete(id)
    }
    this.#byPod.delete(podUid)
  }
}

/** Splits a byte stream into lines and appends each to a log as it completes. */
export class LineSplitter {
  #decoder = new TextDecoder()
  #pending = ''
  readonly #sink: (text: string) => void

  constructor(sink: (text: string) => void) {
    this.#sink = sink
  }

  /** Feeds a chunk; complete lines are flushed at once. */
  push(chunk: Uint8Array): void {
    this.#pending += this.#decoder.decode(chunk, { stream: true })
    let nl = this.#pending.indexOf('\n')
    while (nl >= 0) {
      this.#sink(this.#pending.slice(0, nl + 1))
      this.#pending = this.#pending.slice(nl + 1)
      nl = this.#pending.indexOf('\n')
    }
  }

  /** Flushes a final line that had no newline. */
  flush(): void {
    this.#pending += this.#decoder.decode()
    if (this.#pending !== '') this.#sink(this.#pending)
    this.#pending = ''
  }
}
