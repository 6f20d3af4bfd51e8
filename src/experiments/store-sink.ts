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

/** A sink writing to the experiment and log stores; `log` gets one line per status transition. */
export function createStoreSink(
  experiments: ExperimentRepository,
  logs: LogStore,
  log: (message: string) => void = () => {},
): RuntimeSink {
  return {
    status(obs) {
      const rec = experiments.get(obs.jobId)
      if (!rec) return
      const facts = statusOf(obs)
      const merged = mergeStatus(rec.status, facts)
      experiments.setStatus(obs.jobId, merged, facts.message, obs)
      if (merged.status !== rec.status.status)
        log(transitionLine(obs.jobId, rec.status.status, merged.status, facts.message))
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

/** The console line for one experiment transition: `experiment <id>: Running → Failed (<why>)`. */
export function transitionLine(id: string, from: string, to: string, reason: string | null): string {
  return `experiment ${id}: ${from} → ${to}${reason ? ` (${reason})` : ''}`
}
