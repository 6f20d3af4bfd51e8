/**
 * @module
 * What this server knows of its jobs on the cluster, as its watches deliver it:
 * each job's custom resource and pods, turned into observations for the sink,
 * and one log follower per live pod. The runtime feeds it; nothing here calls the
 * API server except the log followers.
 */
import { containerName } from '../../src/runtime/job.ts'
import { isFinished, type ReplicaState } from '../../src/runtime/job-status.ts'
import { LABEL } from '../../src/runtime/labels.ts'
import type { RuntimeSink } from '../../src/runtime/runtime.ts'
import type { KubePort } from './backend-port.ts'
import {
  codeSyncFailureOf,
  expectedReplicas,
  jobIdOfPod,
  mergeReplicas,
  observeJob,
  recordedCodeSyncFailure,
  replicaAfterDeletion,
  replicaFromPod,
} from './backend-status.ts'
import type { JobKind } from './job-kinds.ts'
import type { KubeflowJobObject, KubeObject, PodObject } from './kube-types.ts'
import { LogFollower } from './log-follower.ts'
import type { KubernetesTuning } from './options.ts'

/**
 * Longest a terminal status waits for the log followers of finished pods to drain. A
 * follower stuck on an API server that stopped answering must not hold the status
 * forever; the lines it reads later are still stored, just after the status.
 */
export const DRAIN_TIMEOUT_MS = 10_000

interface TrackedJob {
  kind: JobKind
  cr: KubeflowJobObject
  /** Replica states stored before this runtime started, for pods that no longer exist. */
  baseline: Map<string, ReplicaState>
  lastEmitted: string
  /** `holding` while a terminal status waits for the logs to drain; `released` after. */
  drain: 'none' | 'holding' | 'released'
}

interface TrackedPod {
  object: PodObject
  jobId: string
  deleted: boolean
  /** This pod instance finished and its log was read to the end: it is not followed again. */
  logsRead: boolean
}

/** True when `object` carries this server instance's label. */
export function isOwnedBy(object: KubeObject, instanceId: string): boolean {
  return object.metadata?.labels?.[LABEL.instance] === instanceId
}

/** The watched jobs and pods of one server instance. */
export class ClusterView {
  readonly #jobs = new Map<string, TrackedJob>()
  readonly #pods = new Map<string, TrackedPod>()
  #podsSynced = false
  readonly #followers = new Map<string, LogFollower>()
  /** Jobs being deleted by this server: their followers read on until their pods are gone. */
  readonly #draining = new Set<string>()
  #disposed = false

  constructor(
    private readonly port: KubePort,
    private readonly sink: RuntimeSink,
    private readonly config: {
      namespace: string
      instanceId: string
      tuning: KubernetesTuning
      /** A pod's code localizer failed: the runtime records it on the job and suspends it (once per job). */
      onCodeSyncFailure?: (jobId: string, kind: JobKind, message: string) => void
    },
  ) {}

  /** Jobs whose code sync failure has been handed to the runtime. */
  readonly #codeSyncReported = new Set<string>()

  /** The kind of a tracked job, if it is tracked. */
  kindOf(id: string): JobKind | undefined {
    return this.#jobs.get(id)?.kind
  }

  /** The last custom resource seen for a job, if it is tracked. */
  resourceOf(id: string): KubeflowJobObject | undefined {
    return this.#jobs.get(id)?.cr
  }

  /** The runtime could not record a code sync failure: the next change of the job tries again. */
  retryCodeSync(id: string): void {
    this.#codeSyncReported.delete(id)
  }

  /** A list of one kind: upserts every item and forgets tracked jobs of that kind it lacks. */
  syncJobs(kind: JobKind, items: KubeObject[]): void {
    const seen = new Set<string>()
    for (const item of items) {
      seen.add(item.metadata?.name ?? '')
      this.upsertJob(kind, item)
    }
    // Deleted while the watch was away.
    for (const [id, job] of this.#jobs) if (job.kind === kind && !seen.has(id)) this.forgetJob(id, kind)
  }

  /**
   * Tracks an object a request returned, unless the watch already delivered it: a response
   * can be older than watch events processed before it (resourceVersions are opaque, so
   * the two cannot be ordered), and the watch brings every later change anyway.
   */
  trackIfNew(kind: JobKind, object: KubeObject): void {
    if (!this.#jobs.has(object.metadata?.name ?? '')) this.upsertJob(kind, object)
  }

  /** Stops following everything. */
  async stop(): Promise<void> {
    this.#disposed = true
    await Promise.all([...this.#followers.values()].map((f) => f.stop()))
    this.#followers.clear()
  }

  /** A job added or changed. */
  upsertJob(kind: JobKind, object: KubeObject): void {
    const id = object.metadata?.name
    if (!id || this.#disposed || !isOwnedBy(object, this.config.instanceId)) return
    let job = this.#jobs.get(id)
    if (!job) {
      const last = this.sink.lastStatus(id) ?? null
      job = {
        kind,
        cr: object,
        baseline: new Map((last?.replicas ?? []).map((r) => [r.pod, r])),
        lastEmitted: last ? JSON.stringify(last) : '',
        // Stored as finished already: its logs were drained before that status was stored.
        drain: last && isFinished(last.status) ? 'released' : 'none',
      }
      this.#jobs.set(id, job)
    }
    job.cr = object
    this.#followPods(id)
    this.#emit(id)
  }

  /** A job deleted: its pods and followers go too. */
  forgetJob(id: string, kind?: JobKind): void {
    const job = this.#jobs.get(id)
    if (kind && job && job.kind !== kind) return
    this.#jobs.delete(id)
    this.#codeSyncReported.delete(id)
    if (this.#draining.has(id)) return // `drainJob` stops the followers that are left
    for (const [name, pod] of this.#pods) {
      if (pod.jobId !== id) continue
      this.#pods.delete(name)
      void this.#followers.get(name)?.stop()
    }
  }

  /**
   * Runs `remove` (which deletes the job's resource), then waits until the log followers of the
   * job's pods have ended (the pods are gone, what their containers printed while they stopped
   * is in the sink), or `timeoutMs`; then forgets the job. The followers are kept from the start:
   * the resource's DELETED event may arrive before `remove` resolves.
   */
  async removeAndDrain(id: string, remove: () => Promise<void>, timeoutMs: number): Promise<void> {
    this.#draining.add(id)
    try {
      await remove()
      const pending: Promise<void>[] = []
      for (const [name, pod] of this.#pods) {
        const follower = this.#followers.get(name)
        if (pod.jobId === id && follower) pending.push(follower.done)
      }
      let timer: ReturnType<typeof setTimeout> | undefined
      await Promise.race([
        Promise.allSettled(pending),
        new Promise<void>((resolve) => {
          timer = setTimeout(resolve, timeoutMs)
        }),
      ])
      clearTimeout(timer)
    } finally {
      this.#draining.delete(id)
    }
    this.forgetJob(id)
  }

  /** A list of pods. */
  syncPods(items: PodObject[]): void {
    const seen = new Set<string>()
    for (const pod of items) {
      const name = pod.metadata?.name
      const jobId = jobIdOfPod(pod)
      if (!name || !jobId) continue
      seen.add(name)
      this.#setPod(name, pod, jobId, false)
    }
    // Deleted while the watch was away: the last object seen is the final one we get.
    for (const [name, pod] of this.#pods) {
      if (seen.has(name)) continue
      if (this.#jobs.has(pod.jobId)) pod.deleted = true
      else this.#pods.delete(name)
    }
    this.#podsSynced = true
    for (const id of this.#jobs.keys()) {
      this.#followPods(id)
      this.#emit(id)
    }
    for (const follower of this.#followers.values()) follower.poke()
  }

  /** A pod added, changed or deleted. */
  podEvent(type: 'ADDED' | 'MODIFIED' | 'DELETED', pod: PodObject): void {
    const name = pod.metadata?.name
    const jobId = jobIdOfPod(pod)
    if (!name || !jobId) return
    if (type === 'DELETED' && !this.#jobs.has(jobId)) {
      // The job is gone already (deleted): nothing to report or follow.
      this.#pods.delete(name)
      return
    }
    this.#setPod(name, pod, jobId, type === 'DELETED')
    if (type !== 'DELETED') this.#followPods(jobId)
    this.#followers.get(name)?.poke()
    this.#emit(jobId)
  }

  #emit(jobId: string): void {
    const job = this.#jobs.get(jobId)
    // Before the first pod list, replica states would be guesses.
    if (!job || !this.#podsSynced || this.#disposed) return
    this.#checkCodeSync(jobId, job)
    const observation = observeJob(jobId, job.cr, this.#replicas(jobId, job))
    if (job.drain !== 'released' && isFinished(observation.status)) {
      if (job.drain === 'none') this.#holdUntilDrained(jobId, job)
      return
    }
    const json = JSON.stringify(observation)
    if (json === job.lastEmitted) return
    job.lastEmitted = json
    this.sink.status(observation)
  }

  /** A pod whose code localizer failed fails the job, once, unless it has finished already. */
  #checkCodeSync(jobId: string, job: TrackedJob): void {
    if (this.#codeSyncReported.has(jobId) || recordedCodeSyncFailure(job.cr) || !this.config.onCodeSyncFailure) return
    if (isFinished(observeJob(jobId, job.cr, []).status)) return
    for (const pod of this.#pods.values()) {
      if (pod.jobId !== jobId) continue
      const message = codeSyncFailureOf(pod.object)
      if (!message) continue
      this.#codeSyncReported.add(jobId)
      this.config.onCodeSyncFailure(jobId, job.kind, message)
      return
    }
  }

  /**
   * The job has ended: what its finished pods printed goes to the sink before the status
   * that says so (a follow ends when its container exits), so a log follower of the
   * experiment that ends at the terminal status has every line. Pods still running (to
   * be removed by the operator) are not waited for.
   */
  #holdUntilDrained(jobId: string, job: TrackedJob): void {
    job.drain = 'holding'
    const pending: Promise<void>[] = []
    for (const [name, pod] of this.#pods) {
      const phase = pod.object.status?.phase
      const follower = this.#followers.get(name)
      if (pod.jobId === jobId && follower && (phase === 'Succeeded' || phase === 'Failed')) pending.push(follower.done)
    }
    let timer: ReturnType<typeof setTimeout> | undefined
    const timeout = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, DRAIN_TIMEOUT_MS)
    })
    void Promise.race([Promise.allSettled(pending), timeout]).then(() => {
      clearTimeout(timer)
      job.drain = 'released'
      if (this.#jobs.get(jobId) === job) this.#emit(jobId)
    })
  }

  #replicas(jobId: string, job: TrackedJob): ReplicaState[] {
    const framework = job.kind.framework
    const known = new Map<string, ReplicaState>()
    const present = new Set<string>()
    for (const [name, pod] of this.#pods) {
      if (pod.jobId !== jobId) continue
      const state = replicaFromPod(pod.object, framework)
      if (!state) continue
      present.add(name)
      known.set(
        name,
        pod.deleted ? replicaAfterDeletion(job.baseline.get(name) ?? state, pod.object, framework) : state,
      )
    }
    for (const [name, state] of job.baseline) {
      // Stored before a restart, pod gone since: it no longer runs.
      if (!present.has(name))
        known.set(name, state.phase === 'Running' ? { ...state, phase: 'Failed', waiting: null } : state)
    }
    return mergeReplicas(expectedReplicas(job.cr, jobId, framework), known)
  }

  /** Stores what the watch says of a pod; whether its log was read carries over for the same instance. */
  #setPod(name: string, object: PodObject, jobId: string, deleted: boolean): void {
    const previous = this.#pods.get(name)
    const same = previous !== undefined && previous.object.metadata?.uid === object.metadata?.uid
    this.#pods.set(name, { object, jobId, deleted, logsRead: same && previous.logsRead })
  }

  /** Starts a log follower for every live pod of a tracked job that has none. */
  #followPods(jobId: string): void {
    const job = this.#jobs.get(jobId)
    if (!job || this.#disposed) return
    for (const [name, pod] of this.#pods) {
      if (pod.jobId !== jobId || pod.deleted || pod.logsRead || this.#followers.has(name)) continue
      const uid = pod.object.metadata?.uid
      const follower = new LogFollower(this.port, this.sink, {
        namespace: this.config.namespace,
        jobId,
        pod: name,
        container: containerName(job.kind.framework),
        currentPod: () => {
          const current = this.#pods.get(name)
          return current && !current.deleted ? current.object : null
        },
        idlePollMs: this.config.tuning.logIdlePollMs,
        exitReportMs: this.config.tuning.logExitReportMs,
        backoff: this.config.tuning.backoff,
      })
      this.#followers.set(name, follower)
      void follower.done.then(() => {
        if (this.#followers.get(name) !== follower) return
        this.#followers.delete(name)
        const again = this.#pods.get(name)
        if (!again || again.deleted || this.#disposed) return
        // The same pod: it finished and its log is read; following it again would only re-read
        // the end, request after request, for as long as the pod is kept.
        if (again.object.metadata?.uid === uid) again.logsRead = true
        // The pod came back under the same name (recreated) while this one was ending.
        else this.#followPods(again.jobId)
      })
    }
  }
}
