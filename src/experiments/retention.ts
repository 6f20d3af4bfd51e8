/**
 * @module
 * Retention: finished experiments beyond the policy (older than `maxAgeMs` since they
 * finished, or beyond the newest `maxExperiments` to finish) are removed oldest first,
 * through the service's `expire` (the DELETE path: row, logs, events, the runtime's
 * leftovers); then replica logs over the size limit are trimmed. A pass runs at start
 * and every `intervalMs`, in short slices with the event loop free between them, so
 * that requests never wait behind it.
 */
import { errorText } from '../errors.ts'
import type { ExperimentRepository } from '../storage/experiment-repository.ts'
import type { LogStore } from '../storage/log-store.ts'
import type { ExperimentService } from './experiment-service.ts'

/** What is kept; an absent limit is off. */
export interface RetentionPolicy {
  maxAgeMs?: number
  maxExperiments?: number
  /** Whether a log size limit is set (the log store holds its value). */
  logLimit: boolean
}

export interface RetentionDeps {
  experiments: Pick<ExperimentRepository, 'finishedCount' | 'oldestFinished'>
  service: Pick<ExperimentService, 'expire'>
  logs: Pick<LogStore, 'removeFirst' | 'trimOversized'>
  policy: RetentionPolicy
  intervalMs: number
  log: (message: string) => void
  now?: () => number
}

/** What one pass did. */
export interface RetentionReport {
  removed: number
  trimmedLogs: number
}

/** Experiments picked per query (a slice usually takes fewer). */
const BATCH = 200
/** Longest run of synchronous work before the event loop gets a turn (ms). */
const SLICE_MS = 4
/** Log lines deleted per statement when an expired experiment's log is large. */
const LOG_ROWS = 2000
/** Logs trimmed per turn. */
const TRIM_LOGS = 4

/** A turn of the event loop: requests that arrived meanwhile are served. */
const yieldToRequests = () => new Promise<void>((resolve) => setTimeout(resolve, 0))

export interface Retention {
  /** Runs a pass now (or waits for the one running) and says what it did. */
  pass(): Promise<RetentionReport>
  /** Stops the timer and waits for a pass in progress to finish its slice. */
  stop(): Promise<void>
}

/** Starts retention: a pass now, then one every `intervalMs`; nothing when every limit is off. */
export function startRetention(deps: RetentionDeps): Retention {
  const { experiments, service, logs, policy } = deps
  const now = deps.now ?? Date.now
  const active = policy.maxAgeMs !== undefined || policy.maxExperiments !== undefined || policy.logLimit
  let stopped = false
  let running: Promise<RetentionReport> | null = null

  async function removeExpired(): Promise<number> {
    const { maxAgeMs, maxExperiments } = policy
    const before = maxAgeMs === undefined ? undefined : new Date(now() - maxAgeMs).toISOString()
    // Counted once: experiments finishing during the pass are the newest, never beyond the count.
    let excess = maxExperiments === undefined ? 0 : experiments.finishedCount() - maxExperiments
    let removed = 0
    while (!stopped) {
      const ids =
        excess > 0
          ? experiments.oldestFinished(Math.min(BATCH, excess))
          : before === undefined
            ? []
            : experiments.oldestFinished(BATCH, before)
      if (ids.length === 0) break
      // A huge log goes in short deletes first, with requests served between them.
      for (const id of ids) {
        while (!stopped && logs.removeFirst(id, LOG_ROWS)) await yieldToRequests()
      }
      if (stopped) break
      // One transaction for as many as fit in a slice: a commit per experiment would cost more than its rows.
      const { looked, removed: gone, jobs } = service.expire(ids, SLICE_MS)
      excess -= looked // removed now, or gone or unfinished already: either way not counted any more
      removed += gone.length
      // The runtime's removals (process: run dirs; Docker, Kubernetes: API calls) run off the
      // event loop; waiting for them keeps at most one batch in flight.
      await jobs
      await yieldToRequests()
    }
    return removed
  }

  async function trimLogs(): Promise<number> {
    if (!policy.logLimit) return 0
    let trimmed = 0
    while (!stopped) {
      const n = logs.trimOversized(TRIM_LOGS)
      if (n === 0) break
      trimmed += n
      await yieldToRequests()
    }
    return trimmed
  }

  async function run(): Promise<RetentionReport> {
    const started = performance.now()
    const removed = await removeExpired()
    const trimmedLogs = await trimLogs()
    if (removed > 0 || trimmedLogs > 0) {
      deps.log(
        `retention: removed ${removed} finished experiments, trimmed ${trimmedLogs} replica logs ` +
          `(${Math.round(performance.now() - started)} ms)`,
      )
    }
    return { removed, trimmedLogs }
  }

  const pass = (): Promise<RetentionReport> => {
    if (!active || stopped) return Promise.resolve({ removed: 0, trimmedLogs: 0 })
    running ??= run()
      .catch((err) => {
        deps.log(`retention pass failed: ${errorText(err)}`)
        return { removed: 0, trimmedLogs: 0 }
      })
      .finally(() => {
        running = null
      })
    return running
  }

  let timer: ReturnType<typeof setInterval> | undefined
  if (active) {
    void pass()
    timer = setInterval(() => void pass(), deps.intervalMs)
    timer.unref()
  }
  return {
    pass,
    async stop() {
      stopped = true
      clearInterval(timer)
      await running
    },
  }
}
