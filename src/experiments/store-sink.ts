/**
 * @module
 * The server's side of the runtime contract: what a runtime reports goes
 * straight into SQLite (status merged so it never moves back, log lines appended),
 * with the transitions it makes recorded as events in the same transaction; then
 * the followers of the experiment are woken. Reports about deleted experiments are dropped, and
 * so are status reports about stopped ones (their status and message are the stop's; the lines
 * their replicas print while they stop are still stored).
 */
import type { JobObservation } from '../runtime/job-status.ts'
import type { RuntimeSink } from '../runtime/runtime.ts'
import type { NewEvent } from '../storage/event-store.ts'
import type { ExperimentRepository } from '../storage/experiment-repository.ts'
import type { LogStore } from '../storage/log-store.ts'
import { type Signals, signalKey } from '../streams/signals.ts'
import type { EventLog } from './event-log.ts'
import { STATUS_RANK } from './experiment.ts'
import { mergeStatus, type StoredStatus, statusOf } from './experiment-status.ts'
import { conditionReason, replicaEvents } from './status-events.ts'

export interface StoreSinkDeps {
  experiments: ExperimentRepository
  logs: LogStore
  events: EventLog
  signals: Signals
  /** Runs `fn` in one database transaction. */
  atomically: (fn: () => void) => void
  /** Gets one line per status transition. */
  log?: (message: string) => void
}

/** A sink writing to the experiment, log and event stores. */
export function createStoreSink(deps: StoreSinkDeps): RuntimeSink {
  const { experiments, logs, events, signals } = deps
  const log = deps.log ?? (() => {})
  return {
    status(obs) {
      let transition: string | null = null
      deps.atomically(() => {
        const rec = experiments.get(obs.jobId)
        if (!rec || rec.stoppedTime) return
        const facts = statusOf(obs)
        const merged = mergeStatus(rec.status, facts)
        experiments.setStatus(obs.jobId, merged, facts.message, obs)
        // Replicas first: the experiment's status follows from theirs.
        const made: NewEvent[] = replicaEvents(rec.observation, obs)
        if (merged.status !== rec.status.status) {
          made.push(...skippedSteps(obs, rec.status, merged), {
            experimentId: obs.jobId,
            replica: null,
            status: merged.status,
            reason: conditionReason(obs),
            message: facts.message,
          })
          transition = transitionLine(obs.jobId, rec.status.status, merged.status, facts.message)
        }
        events.record(made)
      })
      signals.notify(signalKey.experiment(obs.jobId))
      if (transition) log(transition)
    },
    lastStatus(jobId) {
      return experiments.get(jobId)?.observation ?? null
    },
    log(jobId, pod, lines) {
      if (!experiments.has(jobId)) return
      logs.append(jobId, pod, lines)
      signals.notify(signalKey.experiment(jobId))
    },
    logCursor(jobId, pod) {
      return logs.cursor(jobId, pod)
    },
  }
}

/**
 * `Created` and `Running` when one observation moved the status past them (a job seen
 * first when already running): subscribers see every step, each once.
 */
function skippedSteps(obs: JobObservation, from: StoredStatus, to: StoredStatus): NewEvent[] {
  const steps = [
    { status: 'Created', time: to.createdTime },
    { status: 'Running', time: to.runningTime },
  ] as const
  return steps
    .filter((s) => STATUS_RANK[s.status] > STATUS_RANK[from.status] && STATUS_RANK[s.status] < STATUS_RANK[to.status])
    .filter((s) => s.time !== null)
    .map((s) => ({
      experimentId: obs.jobId,
      replica: null,
      status: s.status,
      reason: obs.status.conditions.find((c) => c.type === s.status)?.reason || null,
      message: null,
    }))
}

/** The console line for one experiment transition: `experiment <id>: Running → Failed (<why>)`. */
export function transitionLine(id: string, from: string, to: string, reason: string | null): string {
  return `experiment ${id}: ${from} → ${to}${reason ? ` (${reason})` : ''}`
}
