/**
 * The simulated Kubeflow training operator: reconciles every TFJob, PyTorchJob and XGBoostJob like
 * the v1.9 common `ReconcileJobs` loop (semantics doc §2–§3). It creates one pod and one headless
 * service per replica, recomputes replica counts and conditions, enforces backoffLimit,
 * activeDeadlineSeconds, cleanPodPolicy, ttlSecondsAfterFinished, suspend/resume and the ExitCode
 * restart policy, and writes status through the status path so watchers see MODIFIED.
 * @module
 */
import { rfc3339 } from './clock.ts'
import { hasTrueCondition, isFinished, setCondition } from './conditions.ts'
import type { EventRecorder } from './event-recorder.ts'
import { applyJobRules, type ReplicaCounts } from './job-rules.ts'
import { jsonEqual, sortKeys } from './json-values.ts'
import { JOB_KINDS, type JobKindInfo } from './kinds.ts'
import type { ObjectStore, StoreEvent } from './object-store.ts'
import { buildPod, buildService, LABELS } from './pod-builder.ts'
import { podName, type ReplicaView, replicaViews } from './replica-specs.ts'
import type { Json, KubeObject } from './types.ts'

/** What the operator needs from the rest of the fake. */
export interface OperatorDeps {
  store: ObjectStore
  events: EventRecorder
  /** Graceful pod deletion, the same path as `DELETE …/pods/{name}`. */
  deletePod: (namespace: string, name: string) => void
  /** Deletes a job (TTL), cascading like the API's DELETE. */
  deleteJob: (plural: string, namespace: string, name: string) => void
}

const RESTART_COUNTED = new Set(['OnFailure', 'Always', 'ExitCode'])

function jobKey(plural: string, ns: string, name: string): string {
  return `${plural}/${ns}/${name}`
}

function ownedBy(obj: KubeObject, uid: string): boolean {
  return (obj.metadata.ownerReferences ?? []).some((r) => r.uid === uid)
}

/** Reconciles Kubeflow jobs in the store. */
export class TrainingOperator {
  readonly #deps: OperatorDeps
  readonly #dirty = new Set<string>()
  readonly #timers = new Map<string, ReturnType<typeof setTimeout>[]>()
  readonly #exitSeen = new Set<string>()
  #scheduled = false
  #stopped = false
  #unsubscribe = () => {}

  constructor(deps: OperatorDeps) {
    this.#deps = deps
  }

  /** Starts reacting to job and pod changes. */
  start(): void {
    this.#unsubscribe = this.#deps.store.subscribe((e) => this.#onEvent(e))
  }

  /** Stops reconciling and clears timers. */
  stop(): void {
    this.#stopped = true
    this.#unsubscribe()
    for (const timers of this.#timers.values()) for (const t of timers) clearTimeout(t)
    this.#timers.clear()
  }

  #onEvent(e: StoreEvent): void {
    const { metadata } = e.object
    if (JOB_KINDS[e.plural]) {
      const key = jobKey(e.plural, metadata.namespace as string, metadata.name)
      if (e.type === 'DELETED') {
        this.#clearTimers(`${key}#deadline`)
        this.#clearTimers(`${key}#ttl`)
      } else this.#enqueue(key)
      return
    }
    if (e.plural !== 'pods' && e.plural !== 'services') return
    for (const ref of metadata.ownerReferences ?? []) {
      const info = Object.values(JOB_KINDS).find((k) => k.kind === ref.kind && k.apiVersion === ref.apiVersion)
      if (info && ref.controller) this.#enqueue(jobKey(info.plural, metadata.namespace as string, ref.name))
    }
  }

  #enqueue(key: string): void {
    if (this.#stopped) return
    this.#dirty.add(key)
    if (this.#scheduled) return
    this.#scheduled = true
    // A microtask: the operator sees every pod state the kubelet reports before any process can exit.
    queueMicrotask(() => {
      this.#scheduled = false
      const keys = [...this.#dirty]
      this.#dirty.clear()
      for (const key of keys) {
        const [plural, ns, name] = key.split('/') as [string, string, string]
        try {
          this.#reconcile(JOB_KINDS[plural] as JobKindInfo, ns, name)
        } catch (err) {
          console.error(`kube-fake operator: reconcile of ${key} failed`, err)
        }
      }
    })
  }

  #clearTimers(key: string): void {
    for (const t of this.#timers.get(key) ?? []) clearTimeout(t)
    this.#timers.delete(key)
  }

  #addTimer(key: string, ms: number, fn: () => void): void {
    const t = setTimeout(fn, Math.max(0, ms))
    this.#timers.set(key, [...(this.#timers.get(key) ?? []), t])
  }

  #reconcile(info: JobKindInfo, ns: string, name: string): void {
    const { store, events } = this.#deps
    const job = store.get(info.plural, ns, name)
    if (!job || job.metadata.deletionTimestamp || this.#stopped) return
    const key = jobKey(info.plural, ns, name)
    const kind = info.kind
    const now = rfc3339()
    const views = replicaViews(info, job)
    const uid = job.metadata.uid as string
    const status: Json = structuredClone(job.status ?? {})
    const pods = store.list('pods', ns).filter((p) => ownedBy(p, uid))
    const services = store.list('services', ns).filter((s) => ownedBy(s, uid))
    const runPolicy: Json = job.spec?.runPolicy ?? {}

    if (!(status.conditions ?? []).some((c: Json) => c.type === 'Created')) {
      setCondition(status, 'Created', 'True', `${kind}Created`, `${kind} ${name} is created.`, now)
    }
    status.startTime ??= now

    if (isFinished(status)) {
      this.#cleanPods(job, pods, services, runPolicy.cleanPodPolicy ?? 'None')
      if (hasTrueCondition(status, 'Succeeded')) {
        for (const rs of Object.values((status.replicaStatuses ?? {}) as Record<string, Json>)) {
          if (rs.active) rs.succeeded = (rs.succeeded ?? 0) + rs.active
          delete rs.active
        }
      }
      this.#write(info, job, status)
      this.#armTtl(info, key, job, status, runPolicy)
      return
    }

    if (runPolicy.suspend === true) {
      this.#deleteAll(job, pods, services)
      for (const rs of Object.values((status.replicaStatuses ?? {}) as Record<string, Json>)) delete rs.active
      if (hasTrueCondition(status, 'Running'))
        setCondition(status, 'Running', 'False', `${kind}Suspended`, `${kind} ${name} is suspended.`, now)
      setCondition(status, 'Suspended', 'True', `${kind}Suspended`, `${kind} ${name} is suspended.`, now)
      this.#clearTimers(`${key}#deadline`)
      this.#write(info, job, status)
      return
    }
    if (hasTrueCondition(status, 'Suspended')) {
      setCondition(status, 'Suspended', 'False', `${kind}Resumed`, `${kind} ${name} is resumed.`, now)
      status.startTime = now
    }

    const viewOf = (pod: KubeObject) =>
      views.find((v) => v.type.toLowerCase() === pod.metadata.labels?.[LABELS.replicaType])
    const frameworkExit = (pod: KubeObject): number => {
      const cs = (pod.status?.containerStatuses ?? []).find((c: Json) => c.name === info.containerName)
      return cs?.state?.terminated?.exitCode ?? 0xbeef
    }

    // Exit codes and the ExitCode restart policy (§2.5).
    for (const pod of pods) {
      for (const cs of pod.status?.containerStatuses ?? []) {
        const t = cs.state?.terminated
        if (cs.name === info.containerName && t && !this.#exitSeen.has(t.containerID)) {
          this.#exitSeen.add(t.containerID)
          events.record(
            job,
            t.exitCode === 0 ? 'Normal' : 'Warning',
            'ExitedWithCode',
            `Pod: ${ns}.${pod.metadata.name} exited with code ${t.exitCode}`,
            info.controllerName,
          )
        }
      }
      const view = viewOf(pod)
      if (pod.status?.phase !== 'Failed' || view?.restartPolicy !== 'ExitCode' || pod.metadata.deletionTimestamp)
        continue
      const code = frameworkExit(pod)
      if (code >= 128) {
        this.#deps.deletePod(ns, pod.metadata.name)
        events.record(job, 'Normal', 'SuccessfulDeletePod', `Deleted pod: ${pod.metadata.name}`, info.controllerName)
        const message = `job ${name} is restarting because ${view.type} replica(s) failed.`
        if (setCondition(status, 'Restarting', 'True', `${kind}Restarting`, message, now))
          events.record(job, 'Warning', `${kind}Restarting`, message, info.controllerName)
      } else {
        if (info.plural !== 'pytorchjobs') status.completionTime ??= now
        setCondition(
          status,
          'Failed',
          'True',
          `${kind}Failed`,
          `job "${name}" is failing because "${view.type}" replica(s) failed.`,
          now,
        )
      }
    }

    // Backoff limit and deadline tear everything down (§2.5).
    const teardown = this.#pastLimits(views, pods, runPolicy, status, name)
    if (teardown) {
      this.#deleteAll(job, pods, services)
      status.completionTime ??= now
      setCondition(status, 'Failed', 'True', `${kind}Failed`, teardown, now)
      events.record(job, 'Normal', `${kind}Failed`, teardown, info.controllerName)
      this.#write(info, job, status)
      return
    }
    if (typeof runPolicy.activeDeadlineSeconds === 'number') {
      const remaining = Date.parse(status.startTime) + runPolicy.activeDeadlineSeconds * 1000 - Date.now()
      this.#clearTimers(`${key}#deadline`)
      this.#addTimer(`${key}#deadline`, remaining + 5, () => this.#enqueue(key))
    }

    if (!hasTrueCondition(status, 'Failed')) this.#syncPods(info, job, views, pods, services)

    const counts: Record<string, ReplicaCounts> = {}
    for (const v of views) counts[v.type] = { active: 0, succeeded: 0, failed: 0 }
    for (const pod of pods) {
      const view = viewOf(pod)
      const c = view ? counts[view.type] : undefined
      const index = Number(pod.metadata.labels?.[LABELS.replicaIndex])
      if (!view || !c || index >= view.replicas) continue
      const phase = pod.status?.phase
      if (phase === 'Running') c.active++
      else if (phase === 'Succeeded') c.succeeded++
      else if (phase === 'Failed') c.failed++
    }
    const replicaStatuses: Record<string, Json> = {}
    for (const type of Object.keys(counts).sort()) {
      const c = counts[type] as ReplicaCounts
      replicaStatuses[type] = {
        ...(c.active ? { active: c.active } : {}),
        ...(c.succeeded ? { succeeded: c.succeeded } : {}),
        ...(c.failed ? { failed: c.failed } : {}),
        ...(info.plural === 'pytorchjobs'
          ? {
              selector:
                `${LABELS.jobName}=${name},${LABELS.operatorName}=${info.controllerName},` +
                `${LABELS.replicaType}=${type.toLowerCase()}`,
            }
          : {}),
      }
    }
    status.replicaStatuses = replicaStatuses

    const worker0 = pods.find((p) => p.metadata.name === podName(name, 'Worker', 0))
    const worker0Completed = worker0?.status?.phase === 'Succeeded' && frameworkExit(worker0) === 0
    const before = (status.conditions ?? []).map((c: Json) => `${c.type}=${c.status}`).join()
    applyJobRules(status, { info, job, views, counts, worker0Completed, now })
    const after: Json[] = status.conditions ?? []
    if (after.map((c) => `${c.type}=${c.status}`).join() !== before) {
      const last = after[after.length - 1]
      if (last && ['Succeeded', 'Failed', 'Restarting'].includes(last.type)) {
        events.record(
          job,
          last.type === 'Restarting' ? 'Warning' : 'Normal',
          last.reason,
          last.message,
          info.controllerName,
        )
      }
    }
    this.#write(info, job, status)
  }

  #pastLimits(
    views: readonly ReplicaView[],
    pods: readonly KubeObject[],
    runPolicy: Json,
    status: Json,
    name: string,
  ): string | undefined {
    if (typeof runPolicy.backoffLimit === 'number') {
      const counted = new Set(
        views.filter((v) => RESTART_COUNTED.has(v.restartPolicy)).map((v) => v.type.toLowerCase()),
      )
      let restarts = 0
      for (const pod of pods) {
        if (pod.status?.phase !== 'Running' || !counted.has(pod.metadata.labels?.[LABELS.replicaType] ?? '')) continue
        for (const cs of [...(pod.status.initContainerStatuses ?? []), ...(pod.status.containerStatuses ?? [])])
          restarts += cs.restartCount ?? 0
      }
      const limit = runPolicy.backoffLimit
      if (limit === 0 ? restarts > 0 : restarts >= limit)
        return `Job ${name} has failed because it has reached the specified backoff limit`
    }
    if (typeof runPolicy.activeDeadlineSeconds === 'number' && status.startTime) {
      // startTime has whole seconds, so compare with the precise clock: never later than the real deadline.
      if (Date.now() - Date.parse(status.startTime) >= runPolicy.activeDeadlineSeconds * 1000) {
        return `Job ${name} has failed because it was active longer than specified deadline`
      }
    }
    return undefined
  }

  #syncPods(
    info: JobKindInfo,
    job: KubeObject,
    views: readonly ReplicaView[],
    pods: readonly KubeObject[],
    services: readonly KubeObject[],
  ): void {
    const { store, events } = this.#deps
    const ns = job.metadata.namespace as string
    const name = job.metadata.name
    for (const view of views) {
      for (let i = 0; i < view.replicas; i++) {
        const pname = podName(name, view.type, i)
        if (!store.get('pods', ns, pname)) {
          store.create('pods', buildPod(info, job, views, view, i))
          events.record(job, 'Normal', 'SuccessfulCreatePod', `Created pod: ${pname}`, info.controllerName)
        }
        if (!store.get('services', ns, pname)) {
          store.create('services', buildService(info, job, view, i))
          events.record(job, 'Normal', 'SuccessfulCreateService', `Created service: ${pname}`, info.controllerName)
        }
      }
    }
    // Scaling down: out-of-range indexes go, pod and service (§3.1).
    const inRange = (obj: KubeObject) => {
      const view = views.find((v) => v.type.toLowerCase() === obj.metadata.labels?.[LABELS.replicaType])
      return view !== undefined && Number(obj.metadata.labels?.[LABELS.replicaIndex]) < view.replicas
    }
    for (const pod of pods) {
      if (inRange(pod) || pod.metadata.deletionTimestamp) continue
      this.#deps.deletePod(ns, pod.metadata.name)
      events.record(job, 'Normal', 'SuccessfulDeletePod', `Deleted pod: ${pod.metadata.name}`, info.controllerName)
    }
    for (const svc of services) {
      if (inRange(svc)) continue
      store.remove('services', ns, svc.metadata.name)
      events.record(
        job,
        'Normal',
        'SuccessfulDeleteService',
        `Deleted service: ${svc.metadata.name}`,
        info.controllerName,
      )
    }
  }

  #deleteAll(job: KubeObject, pods: readonly KubeObject[], services: readonly KubeObject[]): void {
    const ns = job.metadata.namespace as string
    for (const pod of pods) if (!pod.metadata.deletionTimestamp) this.#deps.deletePod(ns, pod.metadata.name)
    for (const svc of services) this.#deps.store.remove('services', ns, svc.metadata.name)
  }

  /** cleanPodPolicy at the end of a job (§2.7). */
  #cleanPods(job: KubeObject, pods: readonly KubeObject[], services: readonly KubeObject[], policy: string): void {
    if (policy === 'All') return this.#deleteAll(job, pods, services)
    if (policy !== 'Running') return
    const ns = job.metadata.namespace as string
    for (const pod of pods) {
      const phase = pod.status?.phase
      if ((phase !== 'Running' && phase !== 'Pending') || pod.metadata.deletionTimestamp) continue
      this.#deps.deletePod(ns, pod.metadata.name)
      if (services.some((s) => s.metadata.name === pod.metadata.name))
        this.#deps.store.remove('services', ns, pod.metadata.name)
    }
  }

  #armTtl(info: JobKindInfo, key: string, job: KubeObject, status: Json, runPolicy: Json): void {
    if (
      typeof runPolicy.ttlSecondsAfterFinished !== 'number' ||
      !status.completionTime ||
      this.#timers.has(`${key}#ttl`)
    )
      return
    this.#clearTimers(`${key}#deadline`)
    const due = Date.parse(status.completionTime) + runPolicy.ttlSecondsAfterFinished * 1000 - Date.now()
    this.#addTimer(`${key}#ttl`, due, () =>
      this.#deps.deleteJob(info.plural, job.metadata.namespace as string, job.metadata.name),
    )
  }

  #write(info: JobKindInfo, job: KubeObject, status: Json): void {
    const next = sortKeys(status)
    if (jsonEqual(job.status ?? {}, next)) return
    this.#deps.store.update(info.plural, sortKeys({ ...job, status: next }))
  }
}
