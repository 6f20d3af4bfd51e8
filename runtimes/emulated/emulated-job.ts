/**
 * @module
 * A training operator plus kubelet for runtimes that have neither (process,
 * Docker): it launches each replica, restarts failed ones in place under
 * `OnFailure` with the kubelet's doubling back-off, applies `backoffLimit` and the
 * framework rules of `job-rules.ts`, stops what still runs once the job finishes
 * (cleanPodPolicy `Running`), fails the job once it has run past its
 * `activeDeadlineSeconds` (a timer from the stored `startTime`, so a restarted
 * server keeps the deadline), and reports every change. The runtime supplies a
 * {@link ReplicaDriver} and tells it when replicas start and exit.
 */

import { errorText } from '../../src/errors.ts'
import { type JobSpec, type ReplicaRef, replicaRefs } from '../../src/runtime/job.ts'
import { emptyJobStatus, isFinished, type JobObservation, type ReplicaState } from '../../src/runtime/job-status.ts'
import { JobFailure } from '../common/job-failure.ts'
import { jobMessage } from '../common/job-message.ts'
import { countReplicas, deadlineAt, reconcileJob, setCondition } from './job-rules.ts'

/** The runtime-specific half: how one replica is started and stopped. */
export interface ReplicaDriver {
  /**
   * Starts attempt `attempt` (0 first, then 1, 2 … after restarts) of a replica.
   * Resolves once launched; the runtime then calls `running`/`exited`.
   * A rejection leaves the replica waiting with the error's message, retried after back-off;
   * a {@link JobFailure} fails the job instead.
   */
  launch(ref: ReplicaRef, attempt: number): Promise<void>
  /** Stops a replica if it runs (SIGTERM, SIGKILL after a grace period). Missing is success. */
  stop(ref: ReplicaRef): Promise<void>
}

/** The timer functions the emulation uses; a test passes a fake clock. */
export interface Timers {
  setTimeout(fn: () => void, ms: number): unknown
  clearTimeout(handle: unknown): void
  /**
   * The time timers count from (epoch ms). Not `EmulatorOptions.now`, which a runtime may set
   * to when a past fact happened while it applies it.
   */
  now(): number
}

export interface EmulatorOptions {
  /** First restart delay; doubles per restart up to 300 s, like CrashLoopBackOff (10 s on a kubelet). */
  restartBackoffMs: number
  /** The time of what is being reported (RFC 3339); default the wall clock. */
  now?: () => string
  /** Default the global timers. */
  timers?: Timers
}

const systemTimers: Timers = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
  now: () => Date.now(),
}

const MAX_BACKOFF_MS = 300_000
/** Longest delay a timer takes (about 24.8 days); a later deadline is re-armed when it fires. */
const MAX_TIMER_MS = 2_147_483_647

/** One job driven by the emulated operator. */
export class EmulatedJob {
  #job: JobSpec
  #obs: JobObservation
  #lastReported = ''
  #launching = new Set<string>()
  #timers = new Map<string, unknown>()
  /** Launches that failed in a row, per pod: their retries back off like ImagePullBackOff. */
  #launchFailures = new Map<string, number>()
  /** The deadline timer and the time it was armed for. */
  #deadline: { handle: unknown; at: number } | null = null
  #disposed = false

  constructor(
    job: JobSpec,
    private readonly driver: ReplicaDriver,
    private readonly report: (observation: JobObservation) => void,
    private readonly options: EmulatorOptions,
    previous?: JobObservation | null,
  ) {
    this.#job = job
    this.#obs = previous ?? { jobId: job.id, status: emptyJobStatus(), replicas: [], message: null }
    this.#obs = { ...this.#obs, replicas: this.#withRefs(job, this.#obs.replicas) }
  }

  /** The current observation. */
  get observation(): JobObservation {
    return this.#obs
  }

  get finished(): boolean {
    return isFinished(this.#obs.status)
  }

  /** Launches every replica that is not running or launching yet, then reports. */
  async run(): Promise<void> {
    this.#reconcile()
    if (this.finished) return
    const pending = this.#obs.replicas.filter(
      (r) => r.phase === 'Pending' && !this.#launching.has(r.pod) && !this.#timers.has(r.pod),
    )
    await Promise.all(pending.map((r) => this.#launch(r.pod, r.restartCount)))
  }

  /** The runtime saw a replica running. */
  running(pod: string): void {
    this.#patch(pod, { phase: 'Running', waiting: null })
  }

  /** The runtime says a replica cannot run yet, and why (shown to the user). */
  waiting(pod: string, reason: string): void {
    this.#patch(pod, { waiting: reason })
  }

  /** The runtime saw a replica's attempt exit; `reason` is what the backend knows of why (`OOMKilled`). */
  exited(pod: string, exitCode: number, reason: string | null = null): void {
    const replica = this.#replica(pod)
    if (!replica) return
    const exitReason = reason ?? (exitCode === 0 ? 'Completed' : 'Error')
    if (this.finished) {
      this.#patch(pod, { exitCode, exitReason }, false)
      return
    }
    if (exitCode === 0) {
      this.#patch(pod, { phase: 'Succeeded', exitCode: 0, exitReason, waiting: null, nextAttemptAt: null })
      return
    }
    // OnFailure: the pod stays Running while the kubelet restarts its container in place.
    const nextAttemptAt = this.#scheduleRestart(pod)
    this.#patch(pod, { phase: 'Running', exitCode, exitReason, waiting: 'CrashLoopBackOff', nextAttemptAt })
  }

  /**
   * Fails the job at once with a `Failed` condition of `reason` and `message` (its code could
   * not be checked out): replicas that have not succeeded count as failed, and are stopped.
   */
  fail(reason: string, message: string): void {
    if (this.finished || this.#disposed) return
    const now = this.#now()
    const replicas = this.#obs.replicas.map((r) =>
      r.phase === 'Succeeded' ? r : { ...r, phase: 'Failed' as const, waiting: null, nextAttemptAt: null },
    )
    const conditions = setCondition(
      this.#obs.status.conditions,
      { type: 'Failed', status: 'True', reason, message },
      now,
    )
    const status = { ...this.#obs.status, conditions, replicaStatuses: countReplicas(replicas), completionTime: now }
    this.#obs = { ...this.#obs, status, replicas, message: jobMessage(this.#job, status, replicas) }
    for (const pod of [...this.#timers.keys()]) this.#cancel(pod)
    this.#emit()
    for (const r of replicas) void this.driver.stop(r)
  }

  /** Applies a replaced spec: new replicas start, replicas out of range stop, running ones are untouched. */
  async update(job: JobSpec): Promise<void> {
    const before = new Set(this.#obs.replicas.map((r) => r.pod))
    this.#job = job
    const replicas = this.#withRefs(job, this.#obs.replicas)
    const keep = new Set(replicas.map((r) => r.pod))
    const removed = this.#obs.replicas.filter((r) => !keep.has(r.pod))
    this.#obs = { ...this.#obs, replicas }
    this.#emit() // store the new replica list before slow stops and launches
    for (const r of removed) this.#cancel(r.pod)
    await Promise.all(removed.map((r) => this.driver.stop(r)))
    if (!this.finished) await Promise.all(replicas.filter((r) => !before.has(r.pod)).map((r) => this.#launch(r.pod, 0)))
    this.#reconcile()
  }

  /** Stops every replica and all timers (delete). */
  async stopAll(): Promise<void> {
    this.dispose()
    await Promise.all(this.#obs.replicas.map((r) => this.driver.stop(r)))
  }

  /** Forgets timers; the replicas keep running (server shutdown). */
  dispose(): void {
    this.#disposed = true
    for (const t of this.#timers.values()) this.#clock.clearTimeout(t)
    this.#timers.clear()
    this.#disarmDeadline()
  }

  get #clock(): Timers {
    return this.options.timers ?? systemTimers
  }

  #now(): string {
    return (this.options.now ?? (() => new Date().toISOString()))()
  }

  #withRefs(job: JobSpec, known: readonly ReplicaState[]): ReplicaState[] {
    const byPod = new Map(known.map((r) => [r.pod, r]))
    return replicaRefs(job).map(
      (ref) =>
        byPod.get(ref.pod) ?? {
          ...ref,
          phase: 'Pending',
          restartCount: 0,
          exitCode: null,
          waiting: 'ContainerCreating',
        },
    )
  }

  #replica(pod: string): ReplicaState | undefined {
    return this.#obs.replicas.find((r) => r.pod === pod)
  }

  #patch(pod: string, change: Partial<ReplicaState>, reconcile = true): void {
    this.#obs = { ...this.#obs, replicas: this.#obs.replicas.map((r) => (r.pod === pod ? { ...r, ...change } : r)) }
    if (reconcile) this.#reconcile()
    else this.#emit()
  }

  async #launch(pod: string, attempt: number): Promise<void> {
    const replica = this.#replica(pod)
    if (!replica || this.#disposed) return
    this.#launching.add(pod)
    try {
      await this.driver.launch(replica, attempt)
      this.#launchFailures.delete(pod)
    } catch (err) {
      if (this.#disposed) return // a launch aborted by delete or shutdown is not news
      if (err instanceof JobFailure) return this.fail(err.reason, err.message)
      this.#launchFailures.set(pod, (this.#launchFailures.get(pod) ?? 0) + 1)
      this.waiting(pod, errorText(err))
      this.#scheduleRestart(pod, false)
    } finally {
      this.#launching.delete(pod)
    }
  }

  /** Schedules the next attempt of a replica, once; returns when it will be (null when none is scheduled). */
  #scheduleRestart(pod: string, counts = true): string | null {
    if (this.#disposed || this.#timers.has(pod)) return null
    const replica = this.#replica(pod)
    if (!replica) return null
    const step = counts ? replica.restartCount : (this.#launchFailures.get(pod) ?? 1) - 1
    const delay = Math.min(this.options.restartBackoffMs * 2 ** step, MAX_BACKOFF_MS)
    const timer = this.#clock.setTimeout(() => {
      this.#timers.delete(pod)
      const current = this.#replica(pod)
      if (!current || this.finished || this.#disposed) return
      const restartCount = counts ? current.restartCount + 1 : current.restartCount
      this.#patch(pod, { restartCount, waiting: null, nextAttemptAt: null })
      if (!this.finished) void this.#launch(pod, restartCount)
    }, delay)
    this.#timers.set(pod, timer)
    const from = Date.parse(this.#now())
    return Number.isNaN(from) ? null : new Date(from + delay).toISOString()
  }

  #cancel(pod: string): void {
    if (this.#timers.has(pod)) this.#clock.clearTimeout(this.#timers.get(pod))
    this.#timers.delete(pod)
  }

  #reconcile(): void {
    const decision = reconcileJob(this.#job, this.#obs.status, this.#obs.replicas, this.#now())
    const message = jobMessage(this.#job, decision.status, this.#obs.replicas)
    this.#obs = { ...this.#obs, status: decision.status, message }
    this.#emit()
    this.#armDeadline()
    if (decision.finished) {
      for (const pod of [...this.#timers.keys()]) this.#cancel(pod)
      // cleanPodPolicy Running (and backoff teardown): stop what still runs; logs stay in the store.
      for (const r of this.#obs.replicas) void this.driver.stop(r)
    }
  }

  /** Keeps one timer on the deadline of an unfinished job; when it fires, the next pass fails the job. */
  #armDeadline(): void {
    const at = this.finished || this.#disposed ? null : deadlineAt(this.#job, this.#obs.status)
    if (at === this.#deadline?.at) return
    this.#disarmDeadline()
    if (at === null) return
    const delay = Math.min(Math.max(0, at - this.#clock.now()), MAX_TIMER_MS)
    const handle = this.#clock.setTimeout(() => {
      this.#deadline = null
      // Past the deadline by the timers' clock: the pass fails the job (a far deadline is re-armed).
      if (!this.#disposed) this.#reconcile()
    }, delay)
    this.#deadline = { handle, at }
  }

  #disarmDeadline(): void {
    if (this.#deadline) this.#clock.clearTimeout(this.#deadline.handle)
    this.#deadline = null
  }

  #emit(): void {
    const json = JSON.stringify(this.#obs)
    if (json === this.#lastReported) return
    this.#lastReported = json
    this.report(this.#obs)
  }
}
