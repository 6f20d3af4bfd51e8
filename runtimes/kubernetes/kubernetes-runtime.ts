/**
 * @module
 * The Kubernetes runtime: each job is a Kubeflow custom resource run by the
 * training operator. It creates, scales and deletes those resources, watches them
 * and their pods (one reconnecting list-then-watch per kind and one for pods, all
 * over this server's instance label), reports the operator's own status plus
 * replica states derived from pods, and follows every replica's log into the sink.
 */
import { RuntimeRejectedError } from '../../src/errors.ts'
import { type JobSpec, operatorReplicaKey } from '../../src/runtime/job.ts'
import { instanceSelector, LABEL } from '../../src/runtime/labels.ts'
import type { Runtime, RuntimeSink, SubmitOptions } from '../../src/runtime/runtime.ts'
import { type KubePort, podsRef, type ResourceRef } from './backend-port.ts'
import { jobResource, replicaSpec } from './backend-spec.ts'
import { CODE_SYNC_FAILED_ANNOTATION, codeSyncFailedAnnotation } from './backend-status.ts'
import { ClusterView, DRAIN_TIMEOUT_MS, isOwnedBy } from './cluster-view.ts'
import { isAlreadyExists, isKindNotServed, isObjectNotFound, operatorNotInstalled, toRuntimeError } from './errors.ts'
import { JOB_KINDS, type JobKind, KUBEFLOW_GROUP, KUBEFLOW_VERSION, kindOf, resourceName } from './job-kinds.ts'
import type { KubeflowJobObject, KubeObject, PodObject } from './kube-types.ts'
import { DEFAULT_TUNING, type KubernetesTuning } from './options.ts'
import { ResourceWatcher } from './watch.ts'

/** What the runtime needs besides the port. */
export interface KubernetesRuntimeConfig {
  namespace: string
  instanceId: string
  /** Image of the code sync init container (default Submarine's). */
  gitImage?: string
  tuning?: Partial<KubernetesTuning>
}

/** A {@link Runtime} over a {@link KubePort}. */
export class KubernetesRuntime implements Runtime {
  readonly name = 'kubernetes' as const
  readonly #port: KubePort
  readonly #namespace: string
  readonly #instanceId: string
  readonly #gitImage: string | undefined
  readonly #tuning: KubernetesTuning
  #watchers: ResourceWatcher[] = []
  #view: ClusterView | null = null
  /** Per watched collection, why it cannot be read right now. */
  readonly #problems = new Map<string, string>()
  readonly #missingKinds = new Set<JobKind>()
  #started = false
  #disposed = false

  constructor(port: KubePort, config: KubernetesRuntimeConfig) {
    this.#port = port
    this.#namespace = config.namespace
    this.#instanceId = config.instanceId
    this.#gitImage = config.gitImage
    this.#tuning = { ...DEFAULT_TUNING, ...config.tuning }
  }

  async start(sink: RuntimeSink): Promise<void> {
    if (this.#started) return
    this.#started = true
    const view = new ClusterView(this.#port, sink, {
      namespace: this.#namespace,
      instanceId: this.#instanceId,
      tuning: this.#tuning,
      onCodeSyncFailure: (id, kind, message) => void this.#failCodeSync(id, kind, message),
    })
    this.#view = view
    const common = {
      labelSelector: instanceSelector(this.#instanceId),
      timeoutSeconds: this.#tuning.watchTimeoutSeconds,
      backoff: this.#tuning.backoff,
    }
    for (const kind of JOB_KINDS) {
      this.#watchers.push(
        new ResourceWatcher(
          this.#port,
          { ...common, ref: this.#ref(kind) },
          {
            sync: (items) => {
              this.#missingKinds.delete(kind)
              view.syncJobs(kind, items)
            },
            event: (type, object) =>
              type === 'DELETED' ? view.forgetJob(object.metadata?.name ?? '', kind) : view.upsertJob(kind, object),
            health: (err) => this.#health(kind.plural, err, kind),
          },
        ),
      )
    }
    this.#watchers.push(
      new ResourceWatcher(
        this.#port,
        { ...common, ref: podsRef(this.#namespace) },
        {
          sync: (items) => view.syncPods(items as PodObject[]),
          event: (type, object) => view.podEvent(type, object as PodObject),
          health: (err) => this.#health('pods', err),
        },
      ),
    )
    // Resolves once every collection has answered (or failed) once, so readiness is known.
    await Promise.all(this.#watchers.map((w) => w.start()))
  }

  async submit(job: JobSpec, options: SubmitOptions = {}): Promise<void> {
    if (job.namespace !== this.#namespace) {
      throw new RuntimeRejectedError(
        `job ${job.id} is for namespace "${job.namespace}" but this server runs jobs in namespace "${this.#namespace}"`,
        400,
      )
    }
    const kind = kindOf(job.framework)
    const body = jobResource(job, { instanceId: this.#instanceId, gitImage: this.#gitImage })
    const op = { resource: resourceName(kind), namespace: this.#namespace, name: job.id, kind }
    if (options.launchAfter) await options.launchAfter // nothing is created before the server's record is durable
    let created: KubeObject
    try {
      created = await this.#port.create(this.#ref(kind), body)
    } catch (err) {
      if (isAlreadyExists(err)) return this.#adopt(kind, job.id)
      if (isKindNotServed(err)) this.#missingKinds.add(kind)
      throw toRuntimeError(err, { verb: 'create', ...op })
    }
    this.#missingKinds.delete(kind)
    this.#view?.trackIfNew(kind, created)
  }

  async update(job: JobSpec): Promise<void> {
    const kind = kindOf(job.framework)
    const op = { resource: resourceName(kind), namespace: this.#namespace, name: job.id, kind }
    let current = this.#view?.resourceOf(job.id)
    if (!current) {
      try {
        current = await this.#port.get(this.#ref(kind), job.id)
      } catch (err) {
        // Unknown to the cluster (lost, or never created): started as submit would, like the other runtimes.
        if (isObjectNotFound(err)) return this.submit(job)
        throw toRuntimeError(err, { verb: 'get', ...op })
      }
    }
    const existing = (current.spec?.[kind.replicaMap] ?? {}) as Record<string, unknown>
    const replicaMap: Record<string, unknown> = {}
    for (const spec of job.replicaSpecs) {
      const key = operatorReplicaKey(spec.type)
      // Only the count of an existing type changes: its running pods are left alone.
      replicaMap[key] =
        key in existing
          ? { replicas: spec.replicas }
          : replicaSpec(job, spec, { instanceId: this.#instanceId, gitImage: this.#gitImage })
    }
    for (const key of Object.keys(existing)) if (!(key in replicaMap)) replicaMap[key] = null
    try {
      await this.#port.mergePatch(this.#ref(kind), job.id, { spec: { [kind.replicaMap]: replicaMap } })
    } catch (err) {
      throw toRuntimeError(err, { verb: 'patch', ...op })
    }
  }

  async delete(jobId: string): Promise<void> {
    const tracked = this.#view?.kindOf(jobId)
    const remove = async () => {
      for (const kind of tracked ? [tracked] : JOB_KINDS) {
        const op = { resource: resourceName(kind), namespace: this.#namespace, name: jobId, kind }
        let verb: 'get' | 'delete' = 'get'
        try {
          // Not tracked: make sure the object is ours before deleting it.
          if (!tracked && !isOwnedBy(await this.#port.get(this.#ref(kind), jobId), this.#instanceId)) continue
          verb = 'delete'
          await this.#port.delete(this.#ref(kind), jobId)
        } catch (err) {
          if (isObjectNotFound(err) || isKindNotServed(err)) continue
          throw toRuntimeError(err, { verb, ...op })
        }
      }
    }
    // The pods get SIGTERM as they are deleted: what they print until they are gone is followed
    // into the sink before this resolves (bounded: a pod that hangs in Terminating is let go).
    if (tracked && this.#view) return this.#view.removeAndDrain(jobId, remove, DRAIN_TIMEOUT_MS)
    await remove()
    this.#view?.forgetJob(jobId)
  }

  async owned(): Promise<string[]> {
    const ids: string[] = []
    for (const kind of JOB_KINDS) {
      try {
        const list = await this.#port.list(this.#ref(kind), instanceSelector(this.#instanceId))
        for (const item of list.items ?? [])
          if (item.metadata?.name && !item.metadata.deletionTimestamp) ids.push(item.metadata.name)
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
    await this.#view?.stop()
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

  // ── helpers ─────────────────────────────────

  /**
   * A replica's code could not be checked out: the failure is recorded on the job (the
   * status reads Failed from it, see `backend-status.ts`) and the job suspended, so the
   * operator deletes its pods rather than the kubelet restarting the init container forever.
   * A patch that fails is retried at the job's next change (the view asks again).
   */
  async #failCodeSync(id: string, kind: JobKind, message: string): Promise<void> {
    const patch = {
      metadata: {
        annotations: { [CODE_SYNC_FAILED_ANNOTATION]: codeSyncFailedAnnotation(message, new Date().toISOString()) },
      },
      spec: { runPolicy: { suspend: true } },
    }
    try {
      await this.#port.mergePatch(this.#ref(kind), id, patch)
    } catch {
      this.#view?.retryCodeSync(id)
    }
  }

  #ref(kind: JobKind): ResourceRef {
    return { group: KUBEFLOW_GROUP, version: KUBEFLOW_VERSION, plural: kind.plural, namespace: this.#namespace }
  }

  /** `AlreadyExists`: ours (a retried submit) is adopted; anyone else's is a conflict. */
  async #adopt(kind: JobKind, id: string): Promise<void> {
    let existing: KubeflowJobObject
    try {
      existing = await this.#port.get(this.#ref(kind), id)
    } catch (err) {
      throw toRuntimeError(err, {
        verb: 'get',
        resource: resourceName(kind),
        namespace: this.#namespace,
        name: id,
        kind,
      })
    }
    if (!isOwnedBy(existing, this.#instanceId)) {
      const owner = existing.metadata?.labels?.[LABEL.instance]
      throw new RuntimeRejectedError(
        `a ${kind.kind} named "${id}" already exists in namespace "${this.#namespace}" ` +
          `and does not belong to this server (${owner ? `instance ${owner}` : 'no periscope.io/instance label'})`,
        409,
      )
    }
    this.#view?.trackIfNew(kind, existing)
  }
}
