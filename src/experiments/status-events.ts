/**
 * @module
 * Which status transitions an observation makes, as events (pure). A replica's event
 * is its phase with why (`CrashLoopBackOff`, `OOMKilled`, `ErrImagePull`, …) and what
 * (exit code, restarts); one is made whenever any of the three changes.
 */
import { isDeadlineExceeded, type JobObservation, type ReplicaState } from '../runtime/job-status.ts'
import type { NewEvent } from '../storage/event-store.ts'

/** A replica's state as an event's status, reason and message. */
export function replicaTransition(r: ReplicaState): Pick<NewEvent, 'status' | 'reason' | 'message'> {
  const ended = r.phase === 'Succeeded' || r.phase === 'Failed'
  // `waiting` is `<Reason>` or `<Reason>: <detail>`; an exit's reason only says how a finished attempt ended.
  const waitingReason = r.waiting ? r.waiting.split(':')[0]!.trim() : null
  const exitReason = r.exitCode === null ? null : (r.exitReason ?? (r.exitCode === 0 ? 'Completed' : 'Error'))
  const reason = waitingReason ?? (ended ? exitReason : null)
  const parts: string[] = []
  if (r.waiting && r.waiting !== waitingReason) parts.push(r.waiting)
  if (r.exitCode !== null) parts.push(`${ended ? 'exit code' : 'last exit code'} ${r.exitCode}`)
  if (r.restartCount > 0) parts.push(`${r.restartCount} restart${r.restartCount === 1 ? '' : 's'}`)
  return { status: r.phase, reason, message: parts.length ? parts.join('; ') : null }
}

/** Events of replicas whose status, reason or message differ from the previous observation's, in replica order. */
export function replicaEvents(previous: JobObservation | null, next: JobObservation): NewEvent[] {
  const before = new Map((previous?.replicas ?? []).map((r) => [r.pod, replicaTransition(r)]))
  const out: NewEvent[] = []
  for (const r of next.replicas) {
    const now = replicaTransition(r)
    const was = before.get(r.pod)
    if (was && was.status === now.status && was.reason === now.reason && was.message === now.message) continue
    out.push({ experimentId: next.jobId, replica: r.pod, ...now })
  }
  return out
}

/**
 * The reason of the condition an observation last reached (`TFJobSucceeded`, …), if it has one;
 * `DeadlineExceeded` for a job failed past its deadline (the operator says `<Kind>Failed` then too).
 */
export function conditionReason(obs: JobObservation): string | null {
  if (isDeadlineExceeded(obs.status)) return 'DeadlineExceeded'
  return obs.status.conditions.at(-1)?.reason || null
}
