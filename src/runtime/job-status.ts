/**
 * @module
 * The training operator's view of a job, shaped like a Kubeflow job's `.status`
 * plus the per-replica facts the operator derives it from. Every runtime reports
 * this shape; `src/experiments/experiment-status.ts` turns it into Submarine's status.
 */
import type { ReplicaType } from './job.ts'

export type ConditionType = 'Created' | 'Running' | 'Restarting' | 'Succeeded' | 'Failed'

/** A Kubeflow job condition (`status.conditions[]`). */
export interface JobCondition {
  type: ConditionType
  status: 'True' | 'False'
  reason: string
  message: string
  lastUpdateTime: string
  lastTransitionTime: string
}

/** `status.replicaStatuses[<Type>]`; zero counts are omitted, as the operator does. */
export interface ReplicaCounts {
  active?: number
  succeeded?: number
  failed?: number
}

/** A Kubeflow job's `.status`. */
export interface JobStatus {
  conditions: JobCondition[]
  /** Keyed by the operator's replica type (`PS`, `Worker`, …). */
  replicaStatuses: Record<string, ReplicaCounts>
  startTime: string | null
  completionTime: string | null
}

export type PodPhase = 'Pending' | 'Running' | 'Succeeded' | 'Failed'

/** One replica ("pod") as the runtime last saw it. */
export interface ReplicaState {
  type: ReplicaType
  index: number
  pod: string
  phase: PodPhase
  /** Restarts in place so far (the kubelet's `restartCount`). */
  restartCount: number
  /** Exit code of the last finished attempt, if any. */
  exitCode: number | null
  /**
   * Why the replica is not running (`ErrImagePull: …`, `PodInitializing`, `CrashLoopBackOff`
   * while a failed attempt waits to be restarted), if it is not.
   */
  waiting: string | null
  /** Why the last finished attempt ended, when known: `OOMKilled`, `Error`, `Completed`. */
  exitReason?: string | null
  /** When a crash-looping replica is restarted next (RFC 3339), when known. */
  nextAttemptAt?: string | null
}

/** What a runtime reports about one job: pushed to the server whenever it changes. */
export interface JobObservation {
  jobId: string
  status: JobStatus
  replicas: ReplicaState[]
  /** Why the job is not progressing (engine unreachable, image missing, CRD not installed …), else null. */
  message: string | null
}

/** A job status with no conditions yet. */
export function emptyJobStatus(): JobStatus {
  return { conditions: [], replicaStatuses: {}, startTime: null, completionTime: null }
}

/** The operator's message when a job ran past its `activeDeadlineSeconds` (kubeflow-semantics.md §2.5). */
export function deadlineMessage(jobName: string): string {
  return `Job ${jobName} has failed because it was active longer than specified deadline`
}

/**
 * True when the job failed because it ran past its deadline. The operator gives such a job its
 * usual `<Kind>Failed` reason: the message is what tells, on a real cluster as here.
 */
export function isDeadlineExceeded(status: JobStatus): boolean {
  return status.conditions.some(
    (c) => c.type === 'Failed' && c.status === 'True' && c.message.endsWith(' active longer than specified deadline'),
  )
}

/** True when the job has a terminal condition (Succeeded or Failed, status True). */
export function isFinished(status: JobStatus): boolean {
  return status.conditions.some((c) => (c.type === 'Succeeded' || c.type === 'Failed') && c.status === 'True')
}
