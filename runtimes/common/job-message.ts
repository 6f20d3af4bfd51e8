/**
 * @module
 * The rule that explains a job's state from its replicas, in the same words on
 * every runtime: which replica holds the job up and why, a crash loop with its
 * exit code, restarts used out of the limit and when the next attempt is, and the
 * replica and exit code that made a job fail.
 */
import { CODE_SYNC_FAILED } from '../../src/runtime/code-sync.ts'
import type { JobSpec } from '../../src/runtime/job.ts'
import { isDeadlineExceeded, type JobStatus, type ReplicaState } from '../../src/runtime/job-status.ts'

/** Waiting reasons every replica passes through on its way to running: not worth telling. */
const ROUTINE_WAITING = new Set(['ContainerCreating', 'PodInitializing'])

/** The reason word of a waiting text (`ErrImagePull: …` → `ErrImagePull`). */
function waitingReason(waiting: string): string {
  const colon = waiting.indexOf(':')
  return colon === -1 ? waiting : waiting.slice(0, colon)
}

/** ` (OOMKilled)` for an exit with a telling reason; nothing for a plain error exit. */
function exitReasonText(r: ReplicaState): string {
  return r.exitReason && r.exitReason !== 'Error' && r.exitReason !== 'Completed' ? ` (${r.exitReason})` : ''
}

/** True while a replica's failed attempt waits to be restarted in place. */
export function isCrashLooping(r: ReplicaState): boolean {
  return (
    r.phase !== 'Succeeded' &&
    r.phase !== 'Failed' &&
    r.exitCode !== null &&
    r.exitCode !== 0 &&
    r.waiting !== null &&
    waitingReason(r.waiting) === 'CrashLoopBackOff'
  )
}

/**
 * Why the job is where it is, or null when nothing needs saying (it runs, or is on its way).
 * Checked in order: the job failed (its code could not be checked out, with git's error; past its
 * deadline; or the replica that used up the restarts); a replica stuck
 * before starting (`<pod>: ErrImagePull: …`); a replica crash-looping.
 */
export function jobMessage(
  job: Pick<JobSpec, 'backoffLimit'> & Partial<Pick<JobSpec, 'activeDeadlineSeconds'>>,
  status: JobStatus,
  replicas: readonly ReplicaState[],
): string | null {
  const limit = job.backoffLimit
  const failedCondition = status.conditions.find((c) => c.type === 'Failed' && c.status === 'True')
  if (failedCondition?.reason === CODE_SYNC_FAILED) return `Failed: ${failedCondition.message}`
  const failed = failedCondition !== undefined
  if (failed && isDeadlineExceeded(status)) {
    const seconds = job.activeDeadlineSeconds == null ? '' : ` of ${job.activeDeadlineSeconds} s`
    return (
      `Failed: DeadlineExceeded: the job ran longer than its deadline${seconds} (activeDeadlineSeconds) ` +
      'and its replicas were stopped'
    )
  }
  if (failed) {
    const culprit = [...replicas]
      .filter((r) => r.exitCode !== null && r.exitCode !== 0)
      .sort((a, b) => b.restartCount - a.restartCount)[0]
    if (!culprit) return null
    return (
      `Failed: ${culprit.pod} exited with code ${culprit.exitCode}${exitReasonText(culprit)} ` +
      `after ${culprit.restartCount} of ${limit} restarts (backoffLimit reached)`
    )
  }
  if (status.conditions.some((c) => c.type === 'Succeeded' && c.status === 'True')) return null
  const stuck = replicas.find(
    (r) => r.phase === 'Pending' && r.waiting && !ROUTINE_WAITING.has(waitingReason(r.waiting)),
  )
  if (stuck) return `${stuck.pod}: ${stuck.waiting}`
  const looping = replicas.find(isCrashLooping)
  if (looping) {
    const next = looping.nextAttemptAt ? `, next attempt at ${looping.nextAttemptAt}` : ''
    return (
      `${looping.pod}: CrashLoopBackOff: exited with code ${looping.exitCode}${exitReasonText(looping)}; ` +
      `${looping.restartCount} of ${limit} restarts used${next}`
    )
  }
  return null
}
