/**
 * @module
 * Pure: what a Kubeflow job and its pods say, as a {@link JobObservation}. The
 * job's status is the custom resource's own `.status` (the operator's conditions
 * and times, untouched apart from normalisation); the replicas come from pods.
 */
import { CODE_SYNC_FAILED, codeSyncFailure } from '../../src/runtime/code-sync.ts'
import { containerName, type Framework, podName, type ReplicaType } from '../../src/runtime/job.ts'
import type {
  ConditionType,
  JobCondition,
  JobObservation,
  JobStatus,
  PodPhase,
  ReplicaCounts,
  ReplicaState,
} from '../../src/runtime/job-status.ts'
import { LABEL } from '../../src/runtime/labels.ts'
import { jobMessage } from '../common/job-message.ts'
import { CODE_LOCALIZER } from './backend-spec.ts'
import { kindOf } from './job-kinds.ts'
import type { ContainerStatus, KubeflowJobObject, PodObject } from './kube-types.ts'

const CONDITION_TYPES: readonly ConditionType[] = ['Created', 'Running', 'Restarting', 'Succeeded', 'Failed']
/**
 * Keyed by the lower-case replica type of the operator's labels and replica maps
 * (a Map: keys come from the cluster).
 */
const REPLICA_TYPES: ReadonlyMap<string, ReplicaType> = new Map([
  ['ps', 'Ps'],
  ['worker', 'Worker'],
  ['chief', 'Chief'],
  ['master', 'Master'],
  ['evaluator', 'Evaluator'],
])
const PHASES: readonly PodPhase[] = ['Pending', 'Running', 'Succeeded', 'Failed']
/** Init-container waiting reasons that are normal progress. */
const ROUTINE_WAITING = new Set(['ContainerCreating', 'PodInitializing'])

/**
 * The CR's `.status` as a {@link JobStatus}: conditions of the five known types in the
 * operator's order (`Suspended` is dropped: this runtime never suspends), zero counts
 * omitted, missing times as null.
 */
export function jobStatusOf(cr: KubeflowJobObject): JobStatus {
  const status = cr.status ?? {}
  const conditions: JobCondition[] = []
  for (const c of status.conditions ?? []) {
    if (!CONDITION_TYPES.includes(c.type as ConditionType)) continue
    conditions.push({
      type: c.type as ConditionType,
      status: c.status === 'True' ? 'True' : 'False',
      reason: c.reason ?? '',
      message: c.message ?? '',
      lastUpdateTime: c.lastUpdateTime ?? c.lastTransitionTime ?? '',
      lastTransitionTime: c.lastTransitionTime ?? c.lastUpdateTime ?? '',
    })
  }
  const replicaStatuses: Record<string, ReplicaCounts> = {}
  for (const [type, counts] of Object.entries(status.replicaStatuses ?? {})) {
    const out: ReplicaCounts = {}
    for (const key of ['active', 'succeeded', 'failed'] as const) {
      const n = counts?.[key]
      if (typeof n === 'number' && n > 0) out[key] = n
    }
    replicaStatuses[type] = out
  }
  return {
    conditions,
    replicaStatuses,
    startTime: status.startTime ?? null,
    completionTime: status.completionTime ?? null,
  }
}

/** Replica type and index of an operator pod, from its labels; null for a pod that is not one. */
export function replicaRefOf(pod: PodObject): { type: ReplicaType; index: number; pod: string } | null {
  const labels = pod.metadata?.labels ?? {}
  const type = REPLICA_TYPES.get(labels[LABEL.replicaType] ?? '')
  const index = Number(labels[LABEL.replicaIndex])
  const name = pod.metadata?.name
  if (!type || !Number.isInteger(index) || index < 0 || !name) return null
  return { type, index, pod: name }
}

/** The experiment a pod belongs to (the operator's job-name label, else ours). */
export function jobIdOfPod(pod: PodObject): string | null {
  const labels = pod.metadata?.labels ?? {}
  return labels[LABEL.jobName] ?? labels[LABEL.experimentId] ?? null
}

/** The framework container's status in a pod, if the kubelet reported it. */
export function frameworkContainer(pod: PodObject, framework: Framework): ContainerStatus | undefined {
  return pod.status?.containerStatuses?.find((c) => c.name === containerName(framework))
}

/**
 * One replica as a pod shows it: phase, in-place restarts and the last exit code of
 * the framework container, and why it does not run yet (`ErrImagePull: …`,
 * `CrashLoopBackOff: …`, `Unschedulable: …`).
 */
export function replicaFromPod(pod: PodObject, framework: Framework): ReplicaState | null {
  const ref = replicaRefOf(pod)
  if (!ref) return null
  const phase = PHASES.includes(pod.status?.phase as PodPhase) ? (pod.status!.phase as PodPhase) : 'Pending'
  const c = frameworkContainer(pod, framework)
  const last = c?.state?.terminated ?? c?.lastState?.terminated
  const waiting = waitingReason(pod, c, phase)
  return {
    ...ref,
    phase,
    restartCount: c?.restartCount ?? 0,
    exitCode: last?.exitCode ?? null,
    exitReason: last?.reason ?? null,
    waiting,
    nextAttemptAt: waiting?.startsWith('CrashLoopBackOff')
      ? nextAttempt(c?.state?.waiting?.message, c?.lastState?.terminated?.finishedAt)
      : null,
  }
}

/**
 * When the kubelet restarts a crash-looping container: its `back-off 40s restarting failed
 * container=…` message gives the delay, counted from when the last attempt finished.
 */
export function nextAttempt(message: string | undefined, finishedAt: string | undefined): string | null {
  const delay = /^back-off ((?:\d+(?:\.\d+)?(?:h|ms|m|s))+) /.exec(message ?? '')?.[1]
  const from = finishedAt ? Date.parse(finishedAt) : Number.NaN
  if (!delay || Number.isNaN(from)) return null
  const unit: Record<string, number> = { h: 3_600_000, m: 60_000, s: 1000, ms: 1 }
  let ms = 0
  for (const [, n, u] of delay.matchAll(/(\d+(?:\.\d+)?)(h|ms|m|s)/g)) ms += Number(n) * unit[u!]!
  return new Date(from + ms).toISOString()
}

function waitingReason(pod: PodObject, c: ContainerStatus | undefined, phase: PodPhase): string | null {
  const waiting = c?.state?.waiting
  if (waiting) return withMessage(waiting.reason ?? 'Waiting', waiting.message)
  if (phase !== 'Pending') return null
  for (const init of pod.status?.initContainerStatuses ?? []) {
    const w = init.state?.waiting
    if (w?.reason && !ROUTINE_WAITING.has(w.reason)) return withMessage(`Init:${w.reason}`, w.message)
    if (init.state?.running || w) return 'PodInitializing'
  }
  const scheduled = pod.status?.conditions?.find((cond) => cond.type === 'PodScheduled')
  if (scheduled?.status === 'False') return withMessage(scheduled.reason ?? 'Unschedulable', scheduled.message)
  return 'ContainerCreating'
}

const withMessage = (reason: string, message: string | undefined) => (message ? `${reason}: ${message}` : reason)

/**
 * A replica whose pod was deleted, from its final object (or its last known state).
 * A pod removed before it finished was killed: Kubernetes has no phase for that, so it
 * reads as Failed (its exit code kept when the kubelet reported one).
 */
export function replicaAfterDeletion(
  last: ReplicaState,
  finalPod: PodObject | null,
  framework: Framework,
): ReplicaState {
  const state = (finalPod && replicaFromPod(finalPod, framework)) || last
  const current = finalPod ? frameworkContainer(finalPod, framework)?.state : undefined
  if (state.phase === 'Succeeded' || state.phase === 'Failed') return { ...state, waiting: null }
  if (current?.terminated) return { ...state, exitCode: current.terminated.exitCode ?? state.exitCode, waiting: null }
  return { ...state, phase: 'Failed', waiting: null }
}

/** The replicas a job's spec asks for, in spec order then index order. */
export function expectedReplicas(
  cr: KubeflowJobObject,
  jobId: string,
  framework: Framework,
): Array<{ type: ReplicaType; index: number; pod: string }> {
  const map = (cr.spec?.[kindOf(framework).replicaMap] ?? {}) as Record<string, { replicas?: number } | undefined>
  return Object.entries(map).flatMap(([key, spec]) => {
    const type = REPLICA_TYPES.get(key.toLowerCase())
    if (!type) return []
    const count = typeof spec?.replicas === 'number' ? spec.replicas : 1
    return Array.from({ length: count }, (_, index) => ({ type, index, pod: podName(jobId, type, index) }))
  })
}

/**
 * Every expected replica with its last known state (Pending `ContainerCreating` until a
 * pod shows up), followed by known pods the spec no longer lists only while they still
 * run (a scale-down in progress).
 */
export function mergeReplicas(
  expected: ReadonlyArray<{ type: ReplicaType; index: number; pod: string }>,
  known: ReadonlyMap<string, ReplicaState>,
): ReplicaState[] {
  const out = expected.map(
    (ref) =>
      known.get(ref.pod) ?? {
        ...ref,
        phase: 'Pending' as const,
        restartCount: 0,
        exitCode: null,
        waiting: 'ContainerCreating',
      },
  )
  const listed = new Set(expected.map((r) => r.pod))
  for (const r of known.values()) if (!listed.has(r.pod) && r.phase === 'Running') out.push(r)
  return out
}

/**
 * Set by the runtime on a job whose code could not be checked out, with `{"message","time"}`
 * (JSON), when it suspends the job: a failing init container would otherwise be restarted
 * forever (the pod's restartPolicy is OnFailure) and the operator never fails the job.
 */
export const CODE_SYNC_FAILED_ANNOTATION = 'periscope.io/code-sync-failed'

/** Why a pod's code localizer failed (git's error, from its log tail), or null while it has not. */
export function codeSyncFailureOf(pod: PodObject): string | null {
  const init = pod.status?.initContainerStatuses?.find((c) => c.name === CODE_LOCALIZER)
  const t = init?.state?.terminated ?? init?.lastState?.terminated
  if (!t || typeof t.exitCode !== 'number' || t.exitCode === 0) return null
  const env = pod.spec?.initContainers?.find((c) => c.name === CODE_LOCALIZER)?.env ?? []
  const value = (name: string) => env.find((e) => e.name === name)?.value ?? ''
  const detail = t.message ?? `git-sync exited with code ${t.exitCode}${t.reason ? ` (${t.reason})` : ''}`
  return codeSyncFailure({ url: value('GIT_SYNC_REPO'), branch: value('GIT_SYNC_BRANCH'), password: null }, detail)
}

/** The annotation's value for a failure now. */
export function codeSyncFailedAnnotation(message: string, time: string): string {
  return JSON.stringify({ message, time })
}

/** The failure a job's annotation records, or null. */
export function recordedCodeSyncFailure(cr: KubeflowJobObject): { message: string; time: string } | null {
  const text = cr.metadata?.annotations?.[CODE_SYNC_FAILED_ANNOTATION]
  if (!text) return null
  try {
    const v = JSON.parse(text) as { message?: unknown; time?: unknown }
    return typeof v.message === 'string' && typeof v.time === 'string' ? { message: v.message, time: v.time } : null
  } catch {
    return null
  }
}

/** The operator's status, failed for good when the job's code could not be checked out. */
function withCodeSyncFailure(status: JobStatus, cr: KubeflowJobObject): JobStatus {
  const failure = recordedCodeSyncFailure(cr)
  if (!failure || status.conditions.some((c) => (c.type === 'Succeeded' || c.type === 'Failed') && c.status === 'True'))
    return status
  const conditions = status.conditions.map((c) => (c.type === 'Running' ? { ...c, status: 'False' as const } : c))
  conditions.push({
    type: 'Failed',
    status: 'True',
    reason: CODE_SYNC_FAILED,
    message: failure.message,
    lastUpdateTime: failure.time,
    lastTransitionTime: failure.time,
  })
  return { ...status, conditions, completionTime: status.completionTime ?? failure.time }
}

/** The full observation of a job. */
export function observeJob(jobId: string, cr: KubeflowJobObject, replicas: ReplicaState[]): JobObservation {
  const status = withCodeSyncFailure(jobStatusOf(cr), cr)
  const runPolicy = cr.spec?.runPolicy as { backoffLimit?: unknown; activeDeadlineSeconds?: unknown } | undefined
  const backoffLimit = typeof runPolicy?.backoffLimit === 'number' ? runPolicy.backoffLimit : 3
  const deadline = runPolicy?.activeDeadlineSeconds
  const activeDeadlineSeconds = typeof deadline === 'number' ? deadline : null
  return { jobId, status, replicas, message: jobMessage({ backoffLimit, activeDeadlineSeconds }, status, replicas) }
}
