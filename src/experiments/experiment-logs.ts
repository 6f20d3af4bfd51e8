/**
 * @module
 * Reading experiments' logs for the API: which replicas an experiment has, their stored
 * lines (the last ones, or those since a time), and the pages a log follow reads.
 */
import { NotFoundError } from '../errors.ts'
import { type ReplicaType, replicaRefs } from '../runtime/job.ts'
import type { ExperimentRepository } from '../storage/experiment-repository.ts'
import type { LogStore, StoredLine } from '../storage/log-store.ts'
import type { Experiment } from './experiment.ts'
import { lineMillis } from './line-time.ts'

/** A replica's log for the API: its pod name and a way to read its lines. */
export interface PodLog {
  podName: string
  lines: () => Iterable<StoredLine>
}

/** The log reads of the experiment service. */
export function createExperimentLogs(deps: { experiments: ExperimentRepository; logs: LogStore }) {
  const { experiments, logs } = deps

  /** Pod names of an experiment: its replicas by spec, then any other pod with stored lines. */
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

  return {
    /**
     * Every replica of an experiment (from its spec, plus any with stored lines), in spec order;
     * `pod` picks one, `tailLines` keeps the last lines.
     */
    podLogs(id: string, opts: { pod?: string; tailLines?: number; sinceMs?: number } = {}): PodLog[] {
      const rec = experiments.get(id)
      if (!rec) throw new NotFoundError('EXPERIMENT_NOT_FOUND', 'Not found experiment.')
      const pods = podsOf(rec.experiment)
      if (opts.pod !== undefined && !pods.includes(opts.pod)) {
        throw new NotFoundError(
          'POD_NOT_FOUND',
          `Experiment ${id} has no replica ${opts.pod}; it has ${pods.join(', ')}`,
        )
      }
      return pods
        .filter((podName) => opts.pod === undefined || podName === opts.pod)
        .map((podName) => ({ podName, lines: () => since(logs.lines(id, podName, opts.tailLines), opts.sinceMs) }))
    },

    /** Pod names of an experiment: its replicas by spec, then any other pod with stored lines. */
    podsOf,

    /** Up to `limit` lines stored after `cursor` (every pod's, or `pod`'s), in stored order. */
    linesAfter(id: string, cursor: number, limit: number, pod?: string): StoredLine[] {
      return logs.after(id, cursor, limit, pod)
    },

    /** Where a follow starts: before the last `tailLines` lines (of `pod`, if given), else at the first line. */
    followStart(id: string, tailLines?: number, pod?: string): number {
      return tailLines === undefined ? 0 : logs.beforeLast(id, tailLines, pod)
    },

    /** The stored status, `Deleted` when there is no such experiment (any more). */
    statusOf(id: string): Experiment['status'] {
      return experiments.status(id) ?? 'Deleted'
    },
  }
}

/** The lines written at or after `sinceMs` (all of them when it is undefined). */
function* since(lines: Iterable<StoredLine>, sinceMs: number | undefined): Generator<StoredLine> {
  for (const line of lines) if (sinceMs === undefined || !(lineMillis(line.ts) < sinceMs)) yield line
}
