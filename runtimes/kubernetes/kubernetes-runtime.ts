/**
 * @module
 * The Kubernetes runtime: each job is a Kubeflow custom resource run by the
 * training operator. It creates, scales and deletes those resources, watches them
 * and their pods (one reconnecting list-then-watch per kind and one for pods, all
 * over this server's instance label), reports the operator's own status plus
 * replica states derived from pods, and follows every replica's log into the sink.
 */
import { RuntimeRejectedError } from '../../src/errors.ts'
import { type JobSpec, containerName, operatorReplicaKey } from '../../src/runtime/job.ts'
import type { ReplicaState } from '../../src/runtime/job-status.ts'
import { LABEL, instanceSelector } from '../../src/runtime/labels.ts'
import type { Runtime, RuntimeSink } from '../../src/runtime/runtime.ts'
import { isAlreadyExists, isKindNotServed, isObjectNotFound, operatorNotInstalled, toRuntimeError } from './errors.ts'
import { JOB_KINDS, type JobKind, KUBEFLOW_GROUP, KUBEFLOW_VERSION, kindOf, resourceName } from './job-kinds.ts'
import { expectedReplicas, jobIdOfPod, mergeReplicas, observeJob, replicaAfterDeletion, replicaFromPod } from './job-observation.ts'
import { jobResource, replicaSpec } from './job-resource.ts'
import { type KubePort, type ResourceRef, podsRef } from './kube-port.ts'
import type { KubeObject, KubeflowJobObject, PodObject } from './kube-types.ts'
import { LogFollower } from './log-follower.ts'
import { DEFAULT_TUNING, type KubernetesTuning } from './options.ts'
import { ResourceWatcher } from './resource-watcher.ts'

/** What the runtime needs besides the port. */
export interface KubernetesRuntimeConfig {
  namespace: string
  instanceId: string
  tuning?: Partial<KubernetesTuning>
}

interface TrackedJob {
  kind: JobKind
  cr: KubeflowJobObject
  /** Replica states stored before this runtime started, for pods that no longer exist. */
  baseline: Map<string, ReplicaState>
  lastEmitted: string
}

interface TrackedPod {
  object: PodObject
  jobId: string
  deleted: boolean
}

/** A {@link Runtime} over a {@link KubePort}. */
export class KubernetesRuntime implements Runtime {
  readonly name = 'kubernetes' as const
  readonly #port: KubePort
  readonly #namespace: string
  readonly #instanceId: string
  readonly #tuning: KubernetesTuning
  #sink: RuntimeSink | null = null
  #watchers: ResourceWatcher[] = []
  readonly #jobs = new Map<string, TrackedJob>()
  readonly #pods = new Map<string, TrackedPod>()
  #podsSynced = false
  readonly #followers = new Map<string, LogFollower>()
  /** Per watched collection, why it cannot be read right now. */
  readonly #problems = new Map<string, string>()
  readonly #missingKinds = new Set<JobKind>()
  #started = false
  #disposed = false

  constructor(port: KubePort, config: KubernetesRuntimeConfig) {
    this.#port = port
    this.#namespace = config.namespace
    this.#instanceId = config.instanceId
    this.#tuning = { ...DEFAULT_TUNING, ...config.tuning }
  }

  async start(sink: RuntimeSink): Promise<void> {
    if (this.#started) return
    this.#started = true
    this.#sink = sink
    const common = { labelSelector: instanceSelector(this.#instanceId), timeoutSeconds: this.#tuning.watchTimeoutSeconds, backoff: this.#tuning.backoff }
    for (const kind of JOB_KINDS) {
      this.#watchers.push(
        new ResourceWatcher(this.#port, { ...common, ref: this.#ref(kind) }, {
          sync: (items) => this.#syncJobs(kind, items),
          event: (type, object) => (type === 'DELETED' ? this.#forgetJob(object.metadata?.name ?? '', kind) : this.#upsertJob(kind, object)),
          health: (err) => this.#health(kind.plural, err, kind),
        }),
      )
    }
    this.#watchers.push(
      new ResourceWatcher(this.#port, { ...common, ref: podsRef(this.#namespace) }, {
        sync: (items) => this.#syncPods(items as PodObject[]),
        event: (type, object) => this.#podEvent(type, object as PodObject),
        health: (err) => this.#health('pods', err),
      }),
    )
    // Resolves once every collection has answered (or failed) once, so readiness is known.
    await Promise.all(this.#watchers.map((w) => w.start()))
  }

  async submit(job: JobSpec): Promise<void> {
    if (job.namespace !== this.#namespace) {
      throw new RuntimeRejectedError(`job ${job.id} is for namespace "${job.namespace}" but this server runs jobs in namespace "${this.#namespace}"`, 400)
    }
    const kind = kindOf(job.framework)
    const body = jobResource(job, { instanceId: this.#instanceId })
    const op = { resource: resourceName(kind), namespace: this.#namespace, name: job.id, kind }
    let created: KubeObject
    try {
      created = await this.#port.create(this.#ref(kind), body)
    } catch (err) {
      if (isAlreadyExists(err)) return this.#adopt(kind, job.id)
      if (isKindNotServed(err)) this.#missingKinds.add(kind)
      throw toRuntimeError(err, { verb: 'create', ...op })
    }
    this.#missingKinds.delete(kind)
    this.#trackIfNew(kind, created)
  }

  async update(job: JobSpec): Promise<void> {
    const kind = kindOf(job.framework)
    const op = { resource: resourceName(kind), namespace: this.#namespace, name: job.id, kind }
    let current = this.#jobs.get(job.id)?.cr
    if (!current) {
      try {
        current = await this.#port.get(this.#ref(kind), job.id)
      } catch (err) {
        throw toRuntimeError(err, { verb: 'get', ...op })
      }
    }
    const existing = (current.spec?.[kind.replicaMap] ?? {}) as Record<string, unknown>
    const replicaMap: Record<string, unknown> = {}
    for (const spec of job.replicaSpecs) {
      const key = operatorReplicaKey(spec.type)
      // Only the count of an existing type changes: its running pods are left alone.
      replicaMap[key] = key in existing ? { replicas: spec.replicas } : replicaSpec(job, spec, { instanceId: this.#instanceId })
    }
    for (const key of Object.keys(existing)) if (!(key in replicaMap)) replicaMap[key] = null
    try {
      await this.#port.mergePatch(this.#ref(kind), job.id, { spec: { [kind.replicaMap]: replicaMap } })
    } catch (err) {
      throw toRuntimeError(err, { verb: 'patch', ...op })
    }
  }

  async delete(jobId: string): Promise<void> {
    const tracked = this.#jobs.get(jobId)
    for (const kind of tracked ? [tracked.kind] : JOB_KINDS) {
      const op = { resource: resourceName(kind), namespace: this.#namespace, name: jobId, kind }
      let verb: 'get' | 'delete' = 'get'
      try {
        // Not tracked: make sure the object is ours before deleting it.
        if (!tracked && !this.#isOwned(await this.#port.get(this.#ref(kind), jobId))) continue
        verb = 'delete'
        await this.#port.delete(this.#ref(kind), jobId)
      } catch (err) {
        if (isObjectNotFound(err) || isKindNotServed(err)) continue
        throw toRuntimeError(err, { verb, ...op })
      }
    }
    this.#forgetJob(jobId)
  }

  async owned(): Promise<string[]> {
    const ids: string[] = []
    for (const kind of JOB_KINDS) {
      try {
        const list = await this.#port.list(this.#ref(kind), instanceSelector(this.#instanceId))
        for (const item of list.items ?? []) if (item.metadata?.name && !item.metadata.deletionTimestamp) ids.push(item.metadata.name)
      } catch (err) {
        if (isKindNotServed(err)) continue
        throw toRuntimeError(err, { verb: 'list', resource: resourceName(kind), namespace: this.#namespace, kind })
      }
    }
    return ids
  }

  unavailable(): string | null {
    if (this.#disposed) return 'the kubernetes runtime has been stopped'
    if (!this.#started) return 'the kubernetes runtime has not started'
    if (this.#missingKinds.size > 0) return [...this.#missingKinds].map(operatorNotInstalled).join('; ')
    const [problem] = this.#problems.values()
    return problem ?? null
  }

  async dispose(): Promise<void> {
    if (this.#disposed) return
    this.#disposed = true
    await Promise.all(this.#watchers.map((w) => w.stop()))
    await Promise.all([...this.#followers.values()].map((f) => f.stop()))
    this.#followers.clear()
    this.#sink = null
  }

  // ── watch handlers ────────────────────────────────────────────────────────

  #syncJobs(kind: JobKind, items: KubeObject[]): void {
    this.#missingKinds.delete(kind)
    const seen = new Set<string>()
    for (const item of items) {
      seen.add(item.metadata?.name ?? '')
      this.#upsertJob(kind, item)
    }
    // Deleted while the watch was away.
    for (const [id, job] of this.#jobs) if (job.kind === kind && !seen.has(id)) this.#forgetJob(id, kind)
  }

  #upsertJob(kind: JobKind, object: KubeObject): void {
    const id = object.metadata?.name
    if (!id || this.#disposed || !this.#isOwned(object)) return
    let job = this.#jobs.get(id)
    if (!job) {
      const last = this.#sink?.lastStatus(id) ?? null
      job = { kind, cr: object, baseline: new Map((last?.replicas ?? []).map((r) => [r.pod, r])), lastEmitted: last ? JSON.stringify(last) : '' }
      this.#jobs.set(id, job)
    }
    job.cr = object
    this.#followPods(id)
    this.#emit(id)
  }

  #forgetJob(id: string, kind?: JobKind): void {
    const job = this.#jobs.get(id)
    if (kind && job && job.kind !== kind) return
    this.#jobs.delete(id)
    for (const [name, pod] of this.#pods) {
      if (pod.jobId !== id) continue
      this.#pods.delete(name)
      void this.#followers.get(name)?.stop()
    }
  }

  #syncPods(items: PodObject[]): void {
    const seen = new Set<string>()
    for (const pod of items) {
      const name = pod.metadata?.name
      const jobId = jobIdOfPod(pod)
      if (!name || !jobId) continue
      seen.add(name)
      this.#pods.set(name, { object: pod, jobId, deleted: false })
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

  #podEvent(type: 'ADDED' | 'MODIFIED' | 'DELETED', pod: PodObject): void {
    const name = pod.metadata?.name
    const jobId = jobIdOfPod(pod)
    if (!name || !jobId) return
    if (type === 'DELETED' && !this.#jobs.has(jobId)) {
      // The job is gone already (deleted): nothing to report or follow.
      this.#pods.delete(name)
      return
    }
    this.#pods.set(name, { object: pod, jobId, deleted: type === 'DELETED' })
    if (type !== 'DELETED') this.#followPods(jobId)
    this.#followers.get(name)?.poke()
    this.#emit(jobId)
  }

  #health(key: string, err: unknown | null, kind?: JobKind): void {
    if (err === null) {
      this.#problems.delete(key)
      if (kind) this.#missingKinds.delete(kind)
      return
    }
    if (kind && isKindNotServed(err)) {
      this.#missingKinds.add(kind)
      this.#problems.delete(key)
      return
    }
    const resource = kind ? resourceName(kind) : key
    this.#problems.set(key, toRuntimeError(err, { verb: 'watch', resource, namespace: this.#namespace, kind }).message)
  }

  // ── observations and logs ─────────────────────────────────────────────────

  #emit(jobId: string): void {
    const sink = this.#sink
    const job = this.#jobs.get(jobId)
    // Before the first pod list, replica states would be guesses.
    if (!sink || !job || !this.#podsSynced || this.#disposed) return
    const observation = observeJob(jobId, job.cr, this.#replicas(jobId, job))
    const json = JSON.stringify(observation)
    if (json === job.lastEmitted) return
    job.lastEmitted = json
    sink.status(observation)
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
      known.set(name, pod.deleted ? replicaAfterDeletion(job.baseline.get(name) ?? state, pod.object, framework) : state)
    }
    for (const [name, state] of job.baseline) {
      // Stored before a restart, pod gone since: it no longer runs.
      if (!present.has(name)) known.set(name, state.phase === 'Running' ? { ...state, phase: 'Failed', waiting: null } : state)
    }
    return mergeReplicas(expectedReplicas(job.cr, jobId, framework), known)
  }

  /** Starts a log follower for every live pod of a tracked job that has none. */
  #followPods(jobId: string): void {
    const sink = this.#sink
    const job = this.#jobs.get(jobId)
    if (!sink || !job || this.#disposed) return
    for (const [name, pod] of this.#pods) {
      if (pod.jobId !== jobId || pod.deleted || this.#followers.has(name)) continue
      const follower = new LogFollower(this.#port, sink, {
        namespace: this.#namespace,
        jobId,
        pod: name,
        container: containerName(job.kind.framework),
        currentPod: () => {
          const current = this.#pods.get(name)
          return current && !current.deleted ? current.object : null
        },
        idlePollMs: this.#tuning.logIdlePollMs,
        backoff: this.#tuning.backoff,
      })
      this.#followers.set(name, follower)
      void follower.done.then(() => {
        if (this.#followers.get(name) !== follower) return
        this.#followers.delete(name)
        // The pod came back under the same name (recreated) while this one was ending.
        const again = this.#pods.get(name)
        if (again && !again.deleted && !this.#disposed) this.#followPods(again.jobId)
      })
    }
  }

  // ── helpers ───────────────────────────────────────────────────────────────

  #ref(kind: JobKind): ResourceRef {
    return { group: KUBEFLOW_GROUP, version: KUBEFLOW_VERSION, plural: kind.plural, namespace: this.#namespace }
  }

  #isOwned(object: KubeObject): boolean {
    return object.metadata?.labels?.[LABEL.instance] === this.#instanceId
  }

  /** `AlreadyExists`: ours (a retried submit) is adopted; anyone else's is a conflict. */
  async #adopt(kind: JobKind, id: string): Promise<void> {
    let existing: KubeflowJobObject
    try {
      existing = await this.#port.get(this.#ref(kind), id)
    } catch (err) {
      throw toRuntimeError(err, { verb: 'get', resource: resourceName(kind), namespace: this.#namespace, name: id, kind })
    }
    if (!this.#isOwned(existing)) {
      const owner = existing.metadata?.labels?.[LABEL.instance]
      throw new RuntimeRejectedError(
        `a ${kind.kind} named "${id}" already exists in namespace "${this.#namespace}" and does not belong to this server (${owner ? `instance ${owner}` : 'no periscope.io/instance label'})`,
        409,
      )
    }
    this.#trackIfNew(kind, existing)
  }

  /**
   * Tracks an object a request returned, unless the watch already delivered it: a response
   * can be older than watch events processed before it (resourceVersions are opaque, so
   * the two cannot be ordered), and the watch brings every later change anyway.
   */
  #trackIfNew(kind: JobKind, object: KubeObject): void {
    if (!this.#jobs.has(object.metadata?.name ?? '')) this.#upsertJob(kind, object)
  }
}
