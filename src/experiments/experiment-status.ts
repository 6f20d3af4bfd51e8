/**
 * @module
 * Maps a job's operator status to Submarine's status and times
 * (submarine-semantics.md §5), and merges it into what is stored so that a
 * status never moves back and each time is stamped once.
 */
import type { JobObservation } from '../runtime/job-status.ts'
import { type ExperimentStatus, STATUS_RANK } from './experiment.ts'

export interface StatusFacts {
  status: ExperimentStatus
  createdTime: string | null
  runningTime: string | null
  finishedTime: string | null
  message: string | null
}

/** Submarine's view of an observation: the last condition decides the status. */
export function statusOf(obs: JobObservation): StatusFacts {
  const conditions = obs.status.conditions
  const time = (type: string) => conditions.find((c) => c.type === type)?.lastTransitionTime ?? null
  const last = conditions.at(-1)
  const status: ExperimentStatus = !last
    ? 'Accepted'
    : last.type === 'Succeeded' || last.type === 'Failed'
      ? last.type
      : last.type === 'Running' || last.type === 'Restarting'
        ? 'Running'
        : 'Created'
  const terminal = status === 'Succeeded' || status === 'Failed'
  return {
    status,
    createdTime: time('Created') ?? obs.status.startTime,
    runningTime: time('Running') ?? time('Restarting'),
    finishedTime: terminal ? (obs.status.completionTime ?? last?.lastTransitionTime ?? null) : null,
    message: obs.message ?? (status === 'Failed' || last?.type === 'Restarting' ? (last?.message ?? null) : null),
  }
}

export interface StoredStatus {
  status: ExperimentStatus
  createdTime: string | null
  runningTime: string | null
  finishedTime: string | null
}

/** Merges new facts into the stored ones: the status only moves forward; a set time is never changed. */
export function mergeStatus(stored: StoredStatus, next: StatusFacts): StoredStatus {
  const finished = stored.status === 'Succeeded' || stored.status === 'Failed'
  const status = !finished && STATUS_RANK[next.status] > STATUS_RANK[stored.status] ? next.status : stored.status
  const reached = (s: ExperimentStatus) => STATUS_RANK[status] >= STATUS_RANK[s]
  return {
    status,
    createdTime: stored.createdTime ?? (reached('Created') ? next.createdTime : null),
    runningTime: stored.runningTime ?? (reached('Running') ? next.runningTime : null),
    finishedTime: stored.finishedTime ?? (reached('Succeeded') ? next.finishedTime : null),
  }
}
