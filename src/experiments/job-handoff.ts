/**
 * @module
 * What the experiment service asks of the runtime, and asks again until it is done: handing
 * a stored experiment's job to it (within a time limit, to start once the row is durable),
 * carrying out stops, and removing the jobs of deleted experiments. The store says what is
 * still to do (`submitted`, `stop_pending`); `supervisor.ts` calls the retries.
 */
import { errorText, RuntimeRejectedError } from '../errors.ts'
import type { JobSpec } from '../runtime/job.ts'
import type { Runtime } from '../runtime/runtime.ts'
import { eventuallyDurable } from '../storage/eventually-durable.ts'
import type { ExperimentRepository } from '../storage/experiment-repository.ts'
import { type Signals, signalKey } from '../streams/signals.ts'
import type { ExperimentSpec } from './experiment.ts'

export interface JobHandoffDeps {
  experiments: ExperimentRepository
  runtime: Runtime
  /** Wakes an experiment's log followers once its stop is carried out. */
  signals: Signals
  /** The job of an experiment's spec. */
  jobOf(id: string, spec: ExperimentSpec): JobSpec
  /** How long a submission waits for the runtime before the experiment stays Accepted, retried later. */
  submitTimeoutMs: number
  /** Resolves once every commit so far is durable; a job runs only once its experiment's row is. */
  durable?: () => Promise<void>
  now: () => string
}

export type JobHandoff = ReturnType<typeof createJobHandoff>

/** Creates the hand-off. */
export function createJobHandoff(deps: JobHandoffDeps) {
  const { experiments, runtime } = deps
  /** Deleted experiments whose jobs the runtime could not remove yet. */
  const undeleted = new Set<string>()
  /** Experiments being handed to the runtime right now: a stop meanwhile must reach the runtime too. */
  const submitting = new Set<string>()
  /** Stops being carried out by the runtime, by experiment. */
  const stopping = new Map<string, Promise<void>>()

  /**
   * Hands a stored, unsubmitted experiment to the runtime. A runtime that is down or slow
   * leaves it Accepted with the reason shown; a refusal fails it (or, on create, undoes it).
   * @returns the refusal, if the runtime refused the job for good
   */
  async function submit(id: string): Promise<RuntimeRejectedError | null> {
    const rec = experiments.get(id)
    if (!rec || rec.submitted || rec.stoppedTime || submitting.has(id)) return null
    let timer: ReturnType<typeof setTimeout> | undefined
    submitting.add(id)
    try {
      const timeout = new Promise<never>((_, reject) => {
        // The runtime's own reason, when it knows why it is slow (an API server that does not answer).
        timer = setTimeout(
          () => reject(new Error(runtime.unavailable() ?? `no answer within ${deps.submitTimeoutMs} ms`)),
          deps.submitTimeoutMs,
        )
      })
      // The job may run once the row is durable: the sync the create's answer waits for.
      const launchAfter = deps.durable && eventuallyDurable(deps.durable)
      await Promise.race([runtime.submit(deps.jobOf(id, rec.experiment.spec), { launchAfter }), timeout])
      if (experiments.get(id)?.stoppedTime) {
        // Stopped while the runtime took it: the job it just made is stopped too.
        experiments.setStopPending(id, true)
        void carryOutStop(id)
      } else experiments.markSubmitted(id, deps.now())
      return null
    } catch (err) {
      if (err instanceof RuntimeRejectedError) return err
      if (experiments.get(id)?.stoppedTime) {
        // The runtime may have made the job before the call failed or timed out.
        experiments.setStopPending(id, true)
        void carryOutStop(id)
        return null
      }
      const reason = errorText(err)
      experiments.setMessage(id, `Waiting to be submitted to the ${runtime.name} runtime: ${reason}`)
      return null
    } finally {
      submitting.delete(id)
      clearTimeout(timer)
    }
  }

  /**
   * Has the runtime stop the job of a stopped experiment and remove what it made; the replicas'
   * last lines reach the log store first. Failing (runtime unreachable), the stop stays pending
   * and `retryStops` tries again. One at a time per experiment.
   */
  function carryOutStop(id: string): Promise<void> {
    const busy = stopping.get(id)
    if (busy) return busy
    const run = runtime
      .delete(id)
      .then(
        () => {
          experiments.setStopPending(id, false)
          deps.signals.notify(signalKey.experiment(id)) // its log followers may end now
        },
        () => undefined,
      )
      // The store may have closed meanwhile (the server is stopping): the stop stays pending
      // and is carried out after the next start.
      .catch(() => undefined)
      .finally(() => stopping.delete(id))
    stopping.set(id, run)
    return run
  }

  return {
    submit,
    carryOutStop,
    /** True while the experiment is being handed to the runtime. */
    submitting: (id: string): boolean => submitting.has(id),

    /** Stops a deleted experiment's job and removes what the runtime made for it. */
    async removeJob(id: string): Promise<void> {
      try {
        await runtime.delete(id)
      } catch {
        undeleted.add(id) // the runtime is unreachable: `retryDeletes` removes the job once it answers
      }
    },

    /** Carries out the stops the runtime could not carry out yet (unreachable, or a restart came first). */
    async retryStops(): Promise<void> {
      for (const id of experiments.stopPending()) await carryOutStop(id)
    },

    /** Retries removing the jobs of experiments deleted while the runtime could not be reached. */
    async retryDeletes(): Promise<void> {
      for (const id of [...undeleted]) {
        await runtime.delete(id).then(
          () => undeleted.delete(id),
          () => undefined,
        )
      }
    },
  }
}
