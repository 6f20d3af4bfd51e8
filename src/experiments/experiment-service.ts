/**
 * @module
 * The experiment operations behind the API: create, get, list, patch, delete,
 * logs. Every change is committed to SQLite before the runtime is called; what
 * the runtime cannot take now is retried by `supervisor.ts`.
 */
import { ConflictError, errorText, InvalidQueryError, NotFoundError, RuntimeRejectedError } from '../errors.ts'
import { type JobSpec, type ReplicaType, replicaRefs } from '../runtime/job.ts'
import type { Runtime } from '../runtime/runtime.ts'
import type { EnvironmentRepository } from '../storage/environment-repository.ts'
import type { ExperimentRecord, ExperimentRepository, ListOptions } from '../storage/experiment-repository.ts'
import type { LogStore } from '../storage/log-store.ts'
import type { Experiment, ExperimentSpec } from './experiment.ts'
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
  /** Told each spec's secrets, to keep them out of the server's log. */
  redactor: SecretRedactor
  now?: () => string
}

/** A replica's log for the API: its pod name and a way to read its lines. */
export interface PodLog {
  podName: string
  lines: () => Iterable<string>
}

export type ExperimentService = ReturnType<typeof createExperimentService>

/** Creates the service. */
export function createExperimentService(deps: ExperimentServiceDeps) {
  const { experiments, environments, logs, runtime } = deps
  const now = deps.now ?? (() => new Date().toISOString())
  const findEnvironment = (name: string) => environments.get(name)?.environmentSpec ?? null
  /** Deleted experiments whose jobs the runtime could not remove yet. */
  const undeleted = new Set<string>()

  /** What the API shows: the experiment with its secrets masked (the store keeps them). */
  const shown = (e: Experiment): Experiment => ({
    ...e,
    spec: maskSecrets(e.spec),
    statusMessage: e.statusMessage === null ? null : maskText(e.statusMessage, e.spec),
  })
  const required = (id: string): ExperimentRecord => {
    const rec = experiments.get(id)
    if (!rec) throw new NotFoundError('EXPERIMENT_NOT_FOUND', 'Not found experiment.')
    return rec
  }
  const jobOf = (id: string, spec: ExperimentSpec): JobSpec =>
    toJob(id, spec, spec.environment.name ? findEnvironment(spec.environment.name) : null)

  /**
   * Hands a stored, unsubmitted experiment to the runtime. A runtime that is down or slow
   * leaves it Accepted with the reason shown; a refusal fails it (or, on create, undoes it).
   * @returns the refusal, if the runtime refused the job for good
   */
  async function submit(id: string): Promise<RuntimeRejectedError | null> {
    const rec = experiments.get(id)
    if (!rec || rec.submitted) return null
    let timer: ReturnType<typeof setTimeout> | undefined
    try {
      const timeout = new Promise<never>((_, reject) => {
        // The runtime's own reason, when it knows why it is slow (an API server that does not answer).
        timer = setTimeout(
          () => reject(new Error(runtime.unavailable() ?? `no answer within ${deps.submitTimeoutMs} ms`)),
          deps.submitTimeoutMs,
        )
      })
      await Promise.race([runtime.submit(jobOf(id, rec.experiment.spec)), timeout])
      experiments.markSubmitted(id)
      return null
    } catch (err) {
      if (err instanceof RuntimeRejectedError) return err
      const reason = errorText(err)
      experiments.setMessage(id, `Waiting to be submitted to the ${runtime.name} runtime: ${reason}`)
      return null
    } finally {
      clearTimeout(timer)
    }
  }

  return {
    submit,

    /**
     * Validates, stores (Accepted) and submits a new experiment; answers as stored. A body
     * whose `meta.experimentId` names a stored experiment (an answer posted back) gets that
     * experiment's secrets where it carries the mask.
     */
    async create(body: unknown): Promise<Experiment> {
      const spec = normalizeSpec(body, { namespace: deps.namespace, findEnvironment, lowerCaseName: true })
      const sourceId = (body as { meta?: { experimentId?: unknown } }).meta?.experimentId
      const source = typeof sourceId === 'string' ? (experiments.get(sourceId)?.experiment.spec ?? null) : null
      restoreSecrets(spec, source, source ? (sourceId as string) : null)
      const id = deps.ids.experiment()
      spec.meta.experimentId = id
      deps.redactor.remember(id, spec)
      experiments.insert({ id, uid: crypto.randomUUID(), spec, acceptedTime: now() })
      const inserted = required(id).experiment
      const refused = await submit(id)
      if (refused) {
        experiments.remove(id)
        deps.redactor.forget(id)
        throw new RuntimeRejectedError(maskText(refused.message, spec), refused.status, { cause: refused })
      }
      return shown({ ...inserted, statusMessage: experiments.get(id)?.experiment.statusMessage ?? null })
    },

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
      const spec = normalizeSpec(body, { namespace: deps.namespace, findEnvironment, lowerCaseName: false })
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
      try {
        await runtime.delete(id)
      } catch {
        undeleted.add(id) // the runtime is unreachable: `retryDeletes` removes the job once it answers
      }
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

    /** Retries removing the jobs of experiments deleted while the runtime could not be reached. */
    async retryDeletes(): Promise<void> {
      for (const id of [...undeleted]) {
        await runtime.delete(id).then(
          () => undeleted.delete(id),
          () => undefined,
        )
      }
    },

    /**
     * Every replica of an experiment (from its spec, plus any with stored lines), in spec order;
     * `pod` picks one, `tailLines` keeps the last lines.
     */
    podLogs(id: string, opts: { pod?: string; tailLines?: number } = {}): PodLog[] {
      const rec = required(id)
      const pods = podsOf(rec.experiment)
      if (opts.pod !== undefined && !pods.includes(opts.pod)) {
        throw new NotFoundError(
          'POD_NOT_FOUND',
          `Experiment ${id} has no replica ${opts.pod}; it has ${pods.join(', ')}`,
        )
      }
      return pods
        .filter((podName) => opts.pod === undefined || podName === opts.pod)
        .map((podName) => ({ podName, lines: () => logs.lines(id, podName, opts.tailLines) }))
    },

    /** Pod names of an experiment: its replicas by spec, then any other pod with stored lines. */
    podsOf,
  }

  function podsOf(experiment: Experiment): string[] {
    const id = experiment.experimentId
    const replicaSpecs = Object.entries(experiment.spec.spec).map(([type, t]) => ({
      type: type as ReplicaType,
      replicas: t.replicas,
    }))
    const fromSpec = replicaRefs({ id, replicaSpecs }).map((r) => r.pod)
    const stored = logs
      .pods(id)
      .filter((p) => !fromSpec.includes(p))
      .sort()
    return [...fromSpec, ...stored]
  }
}
