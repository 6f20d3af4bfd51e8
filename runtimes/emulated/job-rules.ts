/**
 * @module
 * The Kubeflow training operator's status rules (v1.9), as pure functions:
 * condition bookkeeping, each framework's success and failure rules, and the
 * backoff limit. The process and Docker runtimes drive their jobs with these so
 * they move through exactly the states a TFJob/PyTorchJob/XGBoostJob would.
 * See kubeflow-semantics.md §2.
 */
import { type JobSpec, jobKind, operatorReplicaKey, type ReplicaType } from '../../src/runtime/job.ts'
import {
  type ConditionType,
  deadlineMessage,
  isFinished,
  type JobCondition,
  type JobStatus,
  type ReplicaCounts,
  type ReplicaState,
} from '../../src/runtime/job-status.ts'

/**
 * Sets one condition the way the operator's `updateJobConditions` does: Failed is
 * terminal; an identical condition is kept (with its old message); otherwise the old
 * one of that type is removed and the new one appended, keeping `lastTransitionTime`
 * when the status did not change. Running and Restarting exclude each other, and a
 * terminal condition flips an existing Running to False.
 */
export function setCondition(
  conditions: readonly JobCondition[],
  next: Omit<JobCondition, 'lastUpdateTime' | 'lastTransitionTime'>,
  now: string,
): JobCondition[] {
  if (conditions.some((c) => c.type === 'Failed' && c.status === 'True')) return [...conditions]
  const existing = conditions.find((c) => c.type === next.type)
  if (existing && existing.status === next.status && existing.reason === next.reason) return [...conditions]
  const transition = existing && existing.status === next.status ? existing.lastTransitionTime : now
  const excluded: ConditionType | null =
    next.type === 'Running' ? 'Restarting' : next.type === 'Restarting' ? 'Running' : null
  const kept = conditions
    .filter((c) => c.type !== next.type && c.type !== excluded)
    .map((c) =>
      c.type === 'Running' && (next.type === 'Succeeded' || next.type === 'Failed')
        ? { ...c, status: 'False' as const }
        : c,
    )
  return [...kept, { ...next, lastUpdateTime: now, lastTransitionTime: transition }]
}

/** Counts per operator replica type: active = Running pods only; zeros omitted. */
export function countReplicas(replicas: readonly ReplicaState[]): Record<string, ReplicaCounts> {
  const counts: Record<string, ReplicaCounts> = {}
  for (const r of replicas) {
    const c = (counts[operatorReplicaKey(r.type)] ??= {})
    if (r.phase === 'Running') c.active = (c.active ?? 0) + 1
    else if (r.phase === 'Succeeded') c.succeeded = (c.succeeded ?? 0) + 1
    else if (r.phase === 'Failed') c.failed = (c.failed ?? 0) + 1
  }
  return counts
}

/** What the operator decided on one pass. */
export interface JobDecision {
  status: JobStatus
  /** The job has just finished; replicas still running must be stopped (cleanPodPolicy Running). */
  finished: boolean
  /** The backoff limit was reached, or the deadline passed: every replica is torn down. */
  backoffExceeded: boolean
}

/**
 * When a job runs past its `activeDeadlineSeconds` (epoch ms, counted from `startTime`), or null
 * when it has no deadline or has not started.
 */
export function deadlineAt(job: Pick<JobSpec, 'activeDeadlineSeconds'>, status: JobStatus): number | null {
  if (job.activeDeadlineSeconds === null || status.startTime === null) return null
  const start = Date.parse(status.startTime)
  return Number.isNaN(start) ? null : start + job.activeDeadlineSeconds * 1000
}

/**
 * One reconcile pass of the operator over a job: adds `Created` on the first pass,
 * recomputes `replicaStatuses`, applies the backoff limit and the framework's rules.
 * A finished job is returned unchanged (counts frozen).
 */
export function reconcileJob(
  job: JobSpec,
  previous: JobStatus,
  replicas: readonly ReplicaState[],
  now: string,
): JobDecision {
  if (isFinished(previous)) return { status: previous, finished: false, backoffExceeded: false }
  const kind = jobKind(job.framework)
  let conditions = previous.conditions
  const set = (type: ConditionType, reasonSuffix: string, message: string) => {
    conditions = setCondition(conditions, { type, status: 'True', reason: `${kind}${reasonSuffix}`, message }, now)
  }
  if (!conditions.some((c) => c.type === 'Created')) set('Created', 'Created', `${kind} ${job.id} is created.`)
  const status: JobStatus = {
    conditions,
    replicaStatuses: countReplicas(replicas),
    startTime: previous.startTime ?? now,
    completionTime: previous.completionTime,
  }

  const restarts = replicas.filter((r) => r.phase === 'Running').reduce((sum, r) => sum + r.restartCount, 0)
  const limitHit = job.backoffLimit === 0 ? restarts > 0 : restarts >= job.backoffLimit
  // The operator checks the backoff limit, then the deadline; both end in the same teardown.
  const deadline = deadlineAt(job, status)
  const pastDeadline = deadline !== null && Date.parse(now) >= deadline
  if (limitHit || pastDeadline) {
    const message = limitHit
      ? `Job ${job.id} has failed because it has reached the specified backoff limit`
      : deadlineMessage(job.id)
    set('Failed', 'Failed', message)
    return { status: { ...status, conditions, completionTime: now }, finished: true, backoffExceeded: true }
  }

  const outcome = frameworkOutcome(job, replicas)
  for (const step of outcome) set(step.type, step.type === 'Restarting' ? 'Restarting' : step.type, step.message)
  const finished = isFinished({ ...status, conditions })
  return {
    status: { ...status, conditions, completionTime: finished ? now : status.completionTime },
    finished,
    backoffExceeded: false,
  }
}

interface Step {
  type: ConditionType
  message: string
}

function tally(job: JobSpec, replicas: readonly ReplicaState[], type: ReplicaType) {
  const wanted = job.replicaSpecs.find((s) => s.type === type)?.replicas ?? 0
  const of = replicas.filter((r) => r.type === type)
  const count = (phase: ReplicaState['phase']) => of.filter((r) => r.phase === phase).length
  return { wanted, active: count('Running'), succeeded: count('Succeeded'), failed: count('Failed') }
}

function frameworkOutcome(job: JobSpec, replicas: readonly ReplicaState[]): Step[] {
  const has = (t: ReplicaType) => job.replicaSpecs.some((s) => s.type === t && s.replicas > 0)
  const ns = `${job.namespace}/${job.id}`
  const steps: Step[] = []
  if (job.framework === 'TensorFlow') {
    const leader: ReplicaType | null = has('Chief') ? 'Chief' : has('Master') ? 'Master' : null
    for (const type of ['Chief', 'Evaluator', 'Master', 'Ps', 'Worker'] as const) {
      if (!has(type)) continue
      const t = tally(job, replicas, type)
      if (leader ? type === leader : type === 'Worker') {
        const worker0Done =
          !leader &&
          replicas.some((r) => r.type === 'Worker' && r.index === 0 && r.phase === 'Succeeded' && r.exitCode === 0)
        if (t.wanted - t.succeeded === 0 || worker0Done)
          steps.push({ type: 'Succeeded', message: `TFJob ${ns} successfully completed.` })
        else if (t.active > 0) steps.push({ type: 'Running', message: `TFJob ${ns} is running.` })
      }
      if (t.failed > 0)
        steps.push({
          type: 'Failed',
          message: `TFJob ${ns} has failed because ${t.failed} ${operatorReplicaKey(type)} replica(s) failed.`,
        })
    }
    return steps
  }
  const kind = jobKind(job.framework)
  if (has('Master')) {
    const m = tally(job, replicas, 'Master')
    if (m.active > 0) steps.push({ type: 'Running', message: `${kind} ${job.id} is running.` })
    if (m.succeeded > 0) {
      if (job.framework === 'XGBoost') steps.push({ type: 'Running', message: `${kind} ${job.id} is running.` })
      steps.push({ type: 'Succeeded', message: `${kind} ${job.id} is successfully completed.` })
      return steps
    }
  } else {
    const w = tally(job, replicas, 'Worker')
    if (w.wanted > 0 && w.succeeded === w.wanted)
      steps.push({ type: 'Succeeded', message: `${kind} ${ns} successfully completed.` })
    else if (w.active > 0) steps.push({ type: 'Running', message: `${kind} ${ns} is running.` })
  }
  for (const type of ['Master', 'Worker'] as const) {
    const t = tally(job, replicas, type)
    if (t.failed > 0 && t.wanted > t.succeeded + t.active) {
      // Submarine submits OnFailure, so a failed pod means restarting, as the operator does.
      steps.push({
        type: 'Restarting',
        message: `${kind} ${job.id} is restarting because ${t.failed} ${type} replica(s) failed.`,
      })
    }
  }
  return steps
}
