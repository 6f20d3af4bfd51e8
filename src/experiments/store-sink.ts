/**
 * @module
 * The server's side of the runtime contract: what a runtime reports goes
 * straight into SQLite (status merged so it never moves back, log lines appended).
 * Reports about deleted experiments are dropped.
 */
import type { RuntimeSink } from '../runtime/runtime.ts'
import type { ExperimentRepository } from '../storage/experiment-repository.ts'
import type { LogStore } from '../storage/log-store.ts'
import { mergeStatus, statusOf } from './experiment-status.ts'

/** A sink writing to the experiment and log stores. */
export function createStoreSink(experiments: ExperimentRepository, logs: LogStore): RuntimeSink {
  return {
    status(obs) {
      const rec = experiments.get(obs.jobId)
      if (!rec) return
      const facts = statusOf(obs)
      experiments.setStatus(obs.jobId, mergeStatus(rec.status, facts), facts.message, obs)
    },
    lastStatus(jobId) {
      return experiments.get(jobId)?.observation ?? null
    },
    log(jobId, pod, lines) {
      if (experiments.has(jobId)) logs.append(jobId, pod, lines)
    },
    logCursor(jobId, pod) {
      return logs.cursor(jobId, pod)
    },
  }
}
