/**
 * @module
 * Keeps the store and the runtime in step: at start-up it lets the runtime
 * resume what it owns; then, at start-up if the runtime answers and again each
 * time it becomes reachable after it was not (the first time included, after a
 * start with it down), it fails experiments whose jobs vanished meanwhile and
 * removes jobs whose experiments were deleted. Every round it keeps submitting
 * experiments the runtime could not take yet, stopping the jobs of experiments
 * stopped while it could not be reached (or before a restart), and removing the
 * jobs of experiments deleted while it could not be reached.
 */

import { errorText } from '../errors.ts'
import type { Runtime, RuntimeSink } from '../runtime/runtime.ts'
import type { ExperimentRepository } from '../storage/experiment-repository.ts'
import type { EventLog } from './event-log.ts'
import type { ExperimentService } from './experiment-service.ts'
import { transitionLine } from './store-sink.ts'

export interface SupervisorDeps {
  experiments: ExperimentRepository
  service: ExperimentService
  runtime: Runtime
  sink: RuntimeSink
  /** Where the failures it decides are recorded as events. */
  events: EventLog
  /** Wakes the log followers of an experiment it fails (they end). */
  wake: (experimentId: string) => void
  /** Pause between rounds of resubmission and clean-up. */
  retryMs: number
  log: (message: string) => void
  now?: () => string
}

/** Creates the supervisor; `start` resolves once the runtime has resumed its jobs. */
export function createSupervisor(deps: SupervisorDeps) {
  const { experiments, service, runtime } = deps
  const now = deps.now ?? (() => new Date().toISOString())
  let timer: ReturnType<typeof setTimeout> | undefined
  let stopped = false
  let busy: Promise<void> = Promise.resolve()

  const fail = (id: string, reason: string, message: string) => {
    const rec = experiments.get(id)
    if (!rec) return
    const e = rec.experiment
    const t = now()
    experiments.setStatus(
      id,
      { status: 'Failed', createdTime: e.createdTime, runningTime: e.runningTime, finishedTime: e.finishedTime ?? t },
      message,
      rec.observation,
    )
    if (rec.status.status !== 'Failed') {
      deps.log(transitionLine(id, rec.status.status, 'Failed', message))
      deps.events.record([{ experimentId: id, replica: null, status: 'Failed', reason, message }])
    }
    deps.wake(id)
  }

  async function submitPending(): Promise<void> {
    for (const rec of experiments.unsubmitted()) {
      if (stopped) return
      const refused = await service.submit(rec.experiment.experimentId)
      if (refused)
        fail(
          rec.experiment.experimentId,
          'RuntimeRejected',
          `The ${runtime.name} runtime refused the job: ${refused.message}`,
        )
    }
  }

  /** Jobs owned on the runtime with no experiment (deleted while the server or runtime was down) are removed. */
  async function removeOrphans(owned: string[]): Promise<void> {
    for (const id of owned.filter((id) => !experiments.has(id))) {
      deps.log(`removing ${id} from the ${runtime.name} runtime: its experiment was deleted`)
      await runtime.delete(id).catch(() => undefined)
    }
  }

  /** False until a reconciliation succeeds, and again whenever the runtime is seen unreachable. */
  let reconciled = false
  let restarted = true

  /**
   * Fails submitted, unfinished experiments whose jobs the runtime no longer has, and removes
   * jobs whose experiments are gone. The experiments are read before the runtime is listed:
   * one submitted meanwhile (through the API) exists on the runtime before it is marked
   * submitted, so it is never taken for vanished.
   */
  async function reconcile(): Promise<void> {
    const expected = experiments
      .unfinished()
      .filter((rec) => rec.submitted)
      .map((rec) => rec.experiment.experimentId)
    const owned = await runtime.owned()
    const have = new Set(owned)
    const when = restarted ? 'after the server restarted' : 'while the runtime could not be reached'
    for (const id of expected) {
      if (have.has(id) || !experiments.get(id)?.submitted) continue
      deps.log(`failing ${id}: its job disappeared from the ${runtime.name} runtime ${when}`)
      fail(
        id,
        'JobDisappeared',
        `The job disappeared from the ${runtime.name} runtime ${when}; ` +
          'it was removed outside periscope or lost with its host',
      )
    }
    await removeOrphans(owned)
    reconciled = true
    restarted = false
  }

  /** Reconciles once the runtime answers after it did not (or never did since start-up). */
  async function reconcileIfReachable(): Promise<void> {
    if (runtime.unavailable() !== null) {
      reconciled = false
      return
    }
    if (reconciled) return
    try {
      await reconcile()
    } catch (err) {
      deps.log(`could not reconcile with the ${runtime.name} runtime: ${errorText(err)}`)
    }
  }

  async function round(): Promise<void> {
    await reconcileIfReachable()
    await service.retryStops()
    await submitPending()
    await service.retryDeletes()
  }

  function schedule(): void {
    if (stopped) return
    timer = setTimeout(() => {
      busy = round()
        .catch((err) => deps.log(`supervisor round failed: ${errorText(err)}`))
        .finally(schedule)
    }, deps.retryMs)
  }

  return {
    async start(): Promise<void> {
      await runtime.start(deps.sink)
      await reconcileIfReachable()
      // Stops first: a job resumed by the runtime but stopped by the user must not run on.
      busy = service
        .retryStops()
        .then(submitPending)
        .catch(() => undefined)
      schedule()
    },
    async stop(): Promise<void> {
      stopped = true
      clearTimeout(timer)
      await busy
    },
  }
}
