/**
 * @module
 * One job the Docker runtime drives: its emulated operator, its replica driver,
 * and what the runtime last saw of each container. Engine facts (events and
 * re-lists) are applied here, each at the time it happened by the engine's
 * clock, and never twice: a fact older than one already applied is dropped.
 */

import { errorText } from '../../src/errors.ts'
import { type JobSpec, type ReplicaRef, replicaRefs } from '../../src/runtime/job.ts'
import { isFinished, type JobObservation } from '../../src/runtime/job-status.ts'
import type { RuntimeSink } from '../../src/runtime/runtime.ts'
import { EmulatedJob } from '../emulated/emulated-job.ts'
import { type ContainerFacts, factsTime, hasStarted, type ReplicaEvent, syncAction } from './backend-status.ts'
import type { LogFollowers } from './log-follower.ts'
import { DockerReplicaDriver, type DriverContext } from './replica-driver.ts'
import { eventTime, isoMillis } from './timestamps.ts'

/**
 * Longest a terminal status waits for the log followers of exited replicas to drain.
 * A follower stuck on an engine that stopped answering must not hold the status forever;
 * the lines it reads later are still stored, just after the status.
 */
export const DRAIN_TIMEOUT_MS = 10_000

/** What a tracked job needs from its runtime. */
export interface TrackedJobDeps {
  sink: RuntimeSink
  followers: LogFollowers
  restartBackoffMs: number
  /** The runtime-wide half of the driver's context. */
  driver: Pick<DriverContext, 'instanceId' | 'stopGraceSeconds' | 'connect' | 'current' | 'images' | 'log' | 'gitEnv'>
}

/** How a re-list is applied. */
export interface SyncMode {
  /** First look after adoption: only the stored observation is known. */
  resuming: boolean
  /** After a gap: also read the logs of every container that ran, in case a follower was cut. */
  catchUp: boolean
}

/** A job under the runtime's watch. */
export class TrackedJob {
  /** The current spec (updates replace it). */
  job: JobSpec
  readonly emulated: EmulatedJob
  readonly driver: DockerReplicaDriver
  /** Pods whose container was last seen running. */
  readonly #live = new Set<string>()
  /** Pods whose container the kernel OOM-killed, until its die event. */
  readonly #oom = new Set<string>()
  /** Per pod, the engine time of the newest fact applied. */
  readonly #seen = new Map<string, bigint>()
  readonly #abort = new AbortController()
  /** The time the emulated operator reads while a past fact is applied. */
  #clock: string | null = null
  #closed = false
  /** A terminal observation waiting for the logs to drain (the latest one wins). */
  #held: JobObservation | null = null
  /** Set once the logs have drained (or the wait timed out): reports go straight on. */
  #drained = false

  constructor(
    job: JobSpec,
    private readonly deps: TrackedJobDeps,
  ) {
    this.job = job
    this.driver = new DockerReplicaDriver({
      ...deps.driver,
      job: () => this.job,
      signal: this.#abort.signal,
      isLive: (pod) => this.#live.has(pod),
      finished: () => this.emulated.finished,
      waiting: (pod, reason) => this.emulated.waiting(pod, reason),
    })
    const report = (o: JobObservation) => {
      if (this.#closed) return
      if (this.#drained || !isFinished(o.status)) {
        deps.sink.status(o)
        return
      }
      // The job has ended: what its exited replicas printed goes to the sink before the
      // status that says so (a container's log stream ends when it stops), so a log
      // follower of the experiment that ends at the terminal status has every line.
      const waiting = this.#held !== null
      this.#held = o
      if (!waiting) void this.#releaseWhenDrained()
    }
    const now = () => this.#clock ?? new Date().toISOString()
    this.emulated = new EmulatedJob(
      job,
      this.driver,
      report,
      { restartBackoffMs: deps.restartBackoffMs, now },
      deps.sink.lastStatus(job.id),
    )
  }

  get closed(): boolean {
    return this.#closed
  }

  /** True while the pod's container was last seen running. */
  isLive(pod: string): boolean {
    return this.#live.has(pod)
  }

  /** Takes over from what the containers show (resume or adoption), then launches what is missing. */
  begin(containers: ContainerFacts[]): void {
    this.sync(containers, { resuming: true, catchUp: true })
    void this.emulated.run()
  }

  /** Applies a replaced spec; the new replica list is reported at once and new replicas launched. */
  update(job: JobSpec, log: (message: string) => void): void {
    this.job = job
    void this.emulated.update(job).catch((err) => log(`update of ${job.id}: ${errorText(err)}`))
    // run() reports now (so the sink keeps the new counts across restarts) and launches
    // the new replicas; update()'s own launches of them then find them launched.
    void this.emulated.run()
  }

  /** Stops acting (delete or dispose): timers, launches and reports end; containers are left as they are. */
  close(): void {
    this.#closed = true
    this.#abort.abort()
    this.emulated.dispose()
  }

  /**
   * Applies one container event. Awaited in the runtime's one-at-a-time queue, so a
   * container's events apply in order even when one needs a look at the engine.
   */
  async apply(e: ReplicaEvent): Promise<void> {
    if (this.#closed || e.timeNano < (this.#seen.get(e.pod) ?? 0n)) return
    this.#seen.set(e.pod, e.timeNano)
    const at = eventTime(Number(e.timeNano), undefined)
    if (e.action === 'oom') {
      this.#oom.add(e.pod)
    } else if (e.action === 'start') {
      this.#oom.delete(e.pod) // an oom event that came after its attempt's die belongs to that attempt
      this.deps.followers.follow(this.job.id, e.pod, true)
      if (!this.#live.has(e.pod)) this.#started(e.pod, at)
    } else if (this.#live.delete(e.pod)) {
      const code = e.exitCode ?? 255
      // The engine's oom event may come after the die event: a SIGKILL exit is checked with inspect.
      const oom = this.#oom.delete(e.pod) || (code === 137 && (await this.#oomKilled(e.pod)))
      if (!this.#closed) this.#exited(e.pod, code, at, oom)
    }
  }

  /**
   * Reconciles with the containers found by a (re-)list (see {@link syncAction}).
   * `listed` names containers that exist but were not inspected (so not missing).
   */
  sync(containers: ContainerFacts[], mode: SyncMode, listed: ReadonlySet<string> = new Set()): void {
    if (this.#closed) return
    const byPod = new Map(containers.map((c) => [c.name, c]))
    const wanted = new Set(this.emulated.observation.replicas.map((r) => r.pod))
    for (const c of containers) {
      if (c.running || (mode.catchUp && hasStarted(c))) this.deps.followers.follow(this.job.id, c.name)
      // Left over from a scale-down the server did not see through: the operator deletes such pods.
      if (!wanted.has(c.name)) void this.driver.stop(this.#ref(c.name))
    }
    for (const replica of this.emulated.observation.replicas) {
      const c = byPod.get(replica.pod) ?? null
      if ((!c && listed.has(replica.pod)) || (c && factsTime(c) < (this.#seen.get(replica.pod) ?? 0n))) continue
      if (c) this.#seen.set(replica.pod, factsTime(c))
      if (this.emulated.finished) {
        // Nothing starts any more: stop what runs, record how what stopped ended.
        if (c?.running) void this.driver.stop(replica)
        else if (c && this.#live.delete(replica.pod))
          this.#at(isoMillis(c.finishedAt), () =>
            this.emulated.exited(replica.pod, c.exitCode, c.oomKilled ? 'OOMKilled' : null),
          )
        continue
      }
      const action = syncAction(replica, c, {
        live: this.#live.has(replica.pod),
        launching: this.driver.isLaunching(replica.pod),
        resuming: mode.resuming,
      })
      if (action.kind === 'running') {
        this.#started(replica.pod, isoMillis(c?.startedAt))
      } else if (action.kind === 'exited') {
        if (!action.sawStart) this.#at(isoMillis(c?.startedAt), () => this.emulated.running(replica.pod))
        this.#live.delete(replica.pod)
        this.#exited(replica.pod, action.exitCode, isoMillis(c?.finishedAt), c?.oomKilled ?? false)
      }
    }
    if (!mode.resuming && !this.emulated.finished) void this.emulated.run()
  }

  async #oomKilled(pod: string): Promise<boolean> {
    try {
      return (await this.deps.driver.current()?.inspectContainer(pod))?.oomKilled ?? false
    } catch {
      return false // the engine went away: the re-list that follows its return tells the rest
    }
  }

  #started(pod: string, at: string | null): void {
    this.#live.add(pod)
    // A replica that starts after the job ended (a launch under way at the time) must not run on.
    if (this.emulated.finished) void this.driver.stop(this.#ref(pod))
    else this.#at(at, () => this.emulated.running(pod))
    this.driver.wake()
  }

  #exited(pod: string, exitCode: number, at: string | null, oom: boolean): void {
    this.#at(at, () => this.emulated.exited(pod, exitCode, oom ? 'OOMKilled' : null))
  }

  async #releaseWhenDrained(): Promise<void> {
    const exited = this.emulated.observation.replicas.map((r) => r.pod).filter((pod) => !this.#live.has(pod))
    await this.deps.followers.drained(this.job.id, exited, DRAIN_TIMEOUT_MS)
    this.#drained = true
    const held = this.#held
    this.#held = null
    if (held && !this.#closed) this.deps.sink.status(held)
  }

  /** Runs `fn` with the emulated operator's clock set to when the fact happened. */
  #at(at: string | null, fn: () => void): void {
    this.#clock = at
    try {
      fn()
    } finally {
      this.#clock = null
    }
  }

  /** The replica a pod belongs to; out-of-range pods get a placeholder (only `pod` matters to `stop`). */
  #ref(pod: string): ReplicaRef {
    return replicaRefs(this.job).find((r) => r.pod === pod) ?? { type: 'Worker', index: -1, pod }
  }
}
