/**
 * @module
 * Keeps the store and the runtime in step: at start-up it lets the runtime
 * resume what it owns, fails experiments whose jobs vanished while the server
 * was down, and removes jobs whose experiments were deleted; then it keeps
 * submitting experiments the runtime could not take yet, and removing the jobs
 * of experiments deleted while the runtime could not be reached.
 */
import type { Runtime, RuntimeSink } from '../runtime/runtime.ts'
import type { ExperimentRepository } from '../storage/experiment-repository.ts'
import type { ExperimentService } from './experiment-service.ts'
import { errorText } from '../errors.ts'

export interface SupervisorDeps {
  experiments: ExperimentRepository
  service: ExperimentService
  runtime: Runtime
  sink: RuntimeSink
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

  const fail = (id: string, message: string) => {
    const rec = experiments.get(id)
    if (!rec) return
    const e = rec.experiment
    const t = now()
    experiments.setStatus(id, { status: 'Failed', createdTime: e.createdTime, runningTime: e.runningTime, finishedTime: e.finishedTime ?? t }, message, rec.observation)
  }

  async function submitPending(): Promise<void> {
    for (const rec of experiments.unsubmitted()) {
      if (stopped) return
      const refused = await service.submit(rec.experiment.experimentId)
      if (refused) fail(rec.experiment.experimentId, `The ${runtime.name} runtime refused the job: ${refused.message}`)
    }
  }

  /** Jobs owned on the runtime with no experiment (deleted while the server or runtime was down) are removed. */
  async function removeOrphans(owned: string[]): Promise<void> {
    for (const id of owned.filter((id) => !experiments.has(id))) {
      deps.log(`removing ${id} from the ${runtime.name} runtime: its experiment was deleted`)
      await runtime.delete(id).catch(() => undefined)
    }
  }

  async function round(): Promise<void> {
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
      if (runtime.unavailable() === null) {
        try {
          const owned = await runtime.owned()
          const have = new Set(owned)
          for (const rec of experiments.unfinished()) {
            const id = rec.experiment.experimentId
            if (rec.submitted && !have.has(id)) {
              fail(id, `The job was not found on the ${runtime.name} runtime after the server restarted; it was removed outside periscope or lost with its host`)
            }
          }
          await removeOrphans(owned)
        } catch (err) {
          deps.log(`could not reconcile with the ${runtime.name} runtime: ${errorText(err)}`)
        }
      }
      busy = submitPending().catch(() => undefined)
      schedule()
    },
    async stop(): Promise<void> {
      stopped = true
      clearTimeout(timer)
      await busy
    },
  }
}
