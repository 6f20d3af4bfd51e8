/**
 * @module
 * The experiment operations behind the API: create, get, list, patch, delete, stop, and the
 * log reads of `experiment-logs.ts`. Every change is committed to SQLite before the runtime is
 * called (`job-handoff.ts`); what the runtime cannot take now is retried by `supervisor.ts`.
 */
import { ConflictError, errorText, InvalidQueryError, NotFoundError, RuntimeRejectedError } from '../errors.ts'
import type { JobSpec } from '../runtime/job.ts'
import type { Runtime } from '../runtime/runtime.ts'
import type { EnvironmentRepository } from '../storage/environment-repository.ts'
import type { ExperimentRecord, ExperimentRepository, ListOptions } from '../storage/experiment-repository.ts'
import type { IdempotencyRequest, IdempotencyStore } from '../storage/idempotency-store.ts'
import type { LogStore } from '../storage/log-store.ts'
import { type Signals, signalKey } from '../streams/signals.ts'
import type { EventLog } from './event-log.ts'
import type { Experiment, ExperimentSpec } from './experiment.ts'
import { createExperimentLogs } from './experiment-logs.ts'
import { createJobHandoff } from './job-handoff.ts'
import { keepStoredPassword } from './mask-credentials.ts'
import { frameworkOf, normalizeSpec } from './normalize-spec.ts'
import type { SecretRedactor } from './secret-redactor.ts'
import { maskSecrets, maskText, restoreSecrets } from './secrets.ts'
import { toJob } from './to-job.ts'

export interface ExperimentServiceDeps {
  experiments: ExperimentRepository
  environments: EnvironmentRepository
  logs: LogStore
  runtime: Runtime
  ids: { experiment(): string }
  namespace: string
  /** How long a create waits for the runtime before answering Accepted and retrying later. */
  submitTimeoutMs: number
  /** Where creations and deletions are recorded as events. */
  events: EventLog
  /** Wakes an experiment's log followers when it is deleted or stopped. */
  signals: Signals
  /** Which experiment an Idempotency-Key made. */
  idempotency: IdempotencyStore
  /** Runs `fn` in one database transaction and returns what it returns. */
  atomically<T>(fn: () => T): T
  /** Resolves once every commit so far is durable; a job runs only once its experiment's row is. */
  durable?: () => Promise<void>
  /** Told each spec's secrets, to keep them out of the server's log. */
  redactor: SecretRedactor
  now?: () => string
}

/** Runtime removals in flight at once after {@link ExperimentService.expire}. */
const EXPIRE_CONCURRENCY = 8

/** A create's answer: the experiment, and whether it was made by an earlier request with the same key. */
export interface Created {
  experiment: Experiment
  replayed: boolean
}

/** An experiment that has finished cannot be changed or stopped (409 naming its status). */
function refuseFinished(rec: ExperimentRecord, what: string): void {
  const { status } = rec.status
  if (status !== 'Succeeded' && status !== 'Failed') return
  const stopped = rec.stoppedTime ? ` (stopped at ${rec.stoppedTime})` : ''
  throw new ConflictError(
    'EXPERIMENT_FINISHED',
    `Experiment ${rec.experiment.experimentId} has finished: it is ${status}${stopped}; ${what}`,
  )
}

export type { PodLog } from './experiment-logs.ts'

export type ExperimentService = ReturnType<typeof createExperimentService>

/** Creates the service. */
export function createExperimentService(deps: ExperimentServiceDeps) {
  const { experiments, environments, logs, runtime } = deps
  const now = deps.now ?? (() => new Date().toISOString())
  const findEnvironment = (name: string) => environments.get(name)?.environmentSpec ?? null
  /** What the API shows: the experiment with its secrets masked (the store keeps them). */
  const shown = (e: Experiment): Experiment => ({
    ...e,
    spec: maskSecrets(e.spec),
    statusMessage: e.statusMessage === null ? null : maskText(e.statusMessage, e.spec),
  })
  const readLogs = createExperimentLogs({ experiments, logs })
  const required = (id: string): ExperimentRecord => {
    const rec = experiments.get(id)
    if (!rec) throw new NotFoundError('EXPERIMENT_NOT_FOUND', 'Not found experiment.')
    return rec
  }
  /** Records the end of an experiment's row and ends its log followers. */
  const deleted = (id: string, reason: string | null, message: string | null) => {
    deps.events.record([{ experimentId: id, replica: null, status: 'Deleted', reason, message }])
    deps.signals.notify(signalKey.experiment(id))
  }
  const jobOf = (id: string, spec: ExperimentSpec): JobSpec =>
    toJob(id, spec, spec.environment.name ? findEnvironment(spec.environment.name) : null)

  const handoff = createJobHandoff({
    experiments,
    runtime,
    signals: deps.signals,
    jobOf,
    submitTimeoutMs: deps.submitTimeoutMs,
    durable: deps.durable,
    now,
  })
  const { submit, carryOutStop, removeJob } = handoff

  return {
    submit,

    /**
     * Validates, stores (Accepted) and submits a new experiment; answers as stored. With an
     * idempotency key that made an experiment within 24 hours (same body), answers that
     * experiment as it is now and makes nothing. A body whose `meta.experimentId` names a stored
     * experiment (an answer posted back) gets that experiment's secrets where it carries the mask.
     * @throws IdempotencyKeyReusedError (422) when the key came with a different body
     */
    async create(body: unknown, idempotency: IdempotencyRequest | null = null): Promise<Created> {
      const spec = normalizeSpec(body, { namespace: deps.namespace, findEnvironment, lowerCaseName: true })
      const sourceId = (body as { meta?: { experimentId?: unknown } }).meta?.experimentId
      const source = typeof sourceId === 'string' ? (experiments.get(sourceId)?.experiment.spec ?? null) : null
      restoreSecrets(spec, source, source ? (sourceId as string) : null)
      const claim = deps.idempotency.claim('experiment', idempotency, now(), () => {
        const id = deps.ids.experiment()
        spec.meta.experimentId = id
        experiments.insert({ id, uid: crypto.randomUUID(), spec, acceptedTime: now() })
        deps.events.record([{ experimentId: id, replica: null, status: 'Accepted', reason: null, message: null }])
        return id
      })
      const id = claim.experimentId
      if (claim.replayed) return { experiment: shown(required(id).experiment), replayed: true }
      deps.redactor.remember(id, spec)
      const inserted = required(id).experiment
      const refused = await submit(id)
      if (refused) {
        experiments.remove(id)
        const message = maskText(refused.message, spec)
        deleted(id, 'RuntimeRejected', message)
        deps.redactor.forget(id)
        throw new RuntimeRejectedError(message, refused.status, { cause: refused })
      }
      return {
        experiment: shown({ ...inserted, statusMessage: experiments.get(id)?.experiment.statusMessage ?? null }),
        replayed: false,
      }
    },

    /** Changes whenever a stored experiment does: what is rendered from `get` and `list` lasts while it stays. */
    version: experiments.version,

    get(id: string): Experiment {
      return shown(required(id).experiment)
    },

    /**
     * Experiments in creation order, one at a time; `afterId` continues a listing after
     * that experiment (constant cost, unlike `offset`).
     * @throws InvalidQueryError when `afterId` is not a stored experiment
     */
    list(opts: Omit<ListOptions, 'after'> & { afterId?: string } = {}): Generator<Experiment> {
      const { afterId, ...rest } = opts
      const after = afterId === undefined ? undefined : experiments.position(afterId)
      if (after === null)
        throw new InvalidQueryError(`Invalid query parameter after="${afterId}": no experiment has that id`)
      return (function* () {
        for (const rec of experiments.iterate({ ...rest, after })) yield shown(rec.experiment)
      })()
    },

    /**
     * Replaces the whole spec; id, uid, status and times stay; the runtime scales like the
     * operator. A secret field carrying the mask keeps its stored value.
     */
    async patch(id: string, body: unknown): Promise<Experiment> {
      const rec = required(id)
      // Its logs and events tell what ran: the stored spec must stay the one that ran.
      refuseFinished(rec, 'its spec stays the one it ran with; create a new experiment instead')
      const spec = keepStoredPassword(
        normalizeSpec(body, { namespace: deps.namespace, findEnvironment, lowerCaseName: false }),
        rec.experiment.spec,
      )
      const before = frameworkOf(rec.experiment.spec.meta.framework)
      const after = frameworkOf(spec.meta.framework)
      if (before !== after) {
        throw new ConflictError(
          'SPEC_CONFLICT',
          `meta.framework cannot change from ${before} to ${after}; create a new experiment instead`,
        )
      }
      restoreSecrets(spec, rec.experiment.spec, id)
      spec.meta.experimentId = id
      deps.redactor.remember(id, spec)
      experiments.updateSpec(id, spec)
      if (rec.submitted) {
        try {
          await runtime.update(jobOf(id, spec))
        } catch (err) {
          experiments.setMessage(
            id,
            `The new spec is stored but the ${runtime.name} runtime has not applied it yet: ${errorText(err)}`,
          )
        }
      }
      return shown(required(id).experiment)
    },

    /**
     * Deletes the experiment and its logs, then stops the job and removes what the runtime
     * made. The row goes first, in one statement, so of two deletes at once one answers 404;
     * reports arriving meanwhile are dropped, and a job left behind is an orphan the
     * supervisor removes.
     */
    async delete(id: string): Promise<Experiment> {
      const rec = experiments.take(id)
      if (!rec) throw new NotFoundError('EXPERIMENT_NOT_FOUND', 'Not found experiment.')
      logs.remove(id)
      deleted(id, null, null)
      await removeJob(id)
      deps.redactor.forget(id)
      return {
        ...shown(rec.experiment),
        status: 'Deleted',
        acceptedTime: null,
        createdTime: null,
        runningTime: null,
        finishedTime: null,
      }
    },

    /**
     * Removes finished experiments as retention does, in one transaction: each row (only if it
     * has finished), its logs and its events; then what the runtime made, as {@link delete} does.
     * No `Deleted` event is recorded (the history goes with it); log followers end. Stops taking
     * ids once `budgetMs` has passed, so that the transaction stays short.
     *
     * The store's part is done when this returns; `jobs` settles once the runtime's part is.
     * @returns how many of `ids` were looked at (a prefix), those removed, and the runtime's part
     */
    expire(ids: readonly string[], budgetMs: number): { looked: number; removed: string[]; jobs: Promise<void> } {
      const removed: string[] = []
      let looked = 0
      deps.atomically(() => {
        const start = performance.now()
        for (const id of ids) {
          looked += 1
          if (experiments.takeFinished(id)) {
            logs.remove(id)
            deps.events.forget(id)
            removed.push(id)
          }
          if (performance.now() - start > budgetMs) break
        }
      })
      for (const id of removed) deps.signals.notify(signalKey.experiment(id))
      // A few at a time: each removal has synchronous work (the process runtime reads the job's
      // file), which must not add up to one long turn of the event loop.
      const queue = [...removed]
      const worker = async () => {
        for (let id = queue.shift(); id !== undefined; id = queue.shift()) await removeJob(id)
      }
      const jobs = Promise.all(Array.from({ length: Math.min(EXPIRE_CONCURRENCY, queue.length) }, worker))
      return { looked, removed, jobs: jobs.then(() => undefined) }
    },

    /**
     * Stops an experiment that has not finished: stored at once as Failed, finished now, with
     * a message saying it was stopped and when (and the event, reason `Stopped`); the runtime
     * then stops its replicas (SIGTERM, SIGKILL after the grace period) and removes its job,
     * their output kept in the log store. An experiment never handed to the runtime is never
     * launched. When the runtime cannot be reached, the stop is carried out once it answers.
     * @throws ConflictError (409, EXPERIMENT_FINISHED) when it has finished already
     */
    stop(id: string): Experiment {
      const t = now()
      let launched = false
      deps.atomically(() => {
        const rec = required(id)
        refuseFinished(rec, 'there is nothing to stop')
        launched = rec.submitted || handoff.submitting(id)
        const message = `Stopped by request at ${t}${launched ? '' : '; it had not been launched, and never will be'}`
        experiments.setStopped(id, { finishedTime: t, message, stoppedTime: t, pending: launched })
        deps.events.record([{ experimentId: id, replica: null, status: 'Failed', reason: 'Stopped', message }])
      })
      deps.signals.notify(signalKey.experiment(id))
      if (launched) void carryOutStop(id)
      return required(id).experiment
    },

    retryStops: handoff.retryStops,

    /** True while the runtime has still to carry out an experiment's stop (its replicas may still print). */
    stopping(id: string): boolean {
      return experiments.isStopPending(id)
    },

    retryDeletes: handoff.retryDeletes,

    ...readLogs,
  }
}
