/**
 * @module
 * Rebuilding a job from the engine alone after a server restart. Pure.
 * Every network and container carries the JobSpec it was created from (label
 * `periscope.io/job-spec`); the newest one wins, because a container created
 * after an update carries the updated spec. Labels cannot change after
 * creation, so replica counts come from the last observation the sink stored,
 * which the emulated operator reports as soon as an update scales the job.
 */
import type { JobSpec } from '../../src/runtime/job.ts'
import type { JobObservation } from '../../src/runtime/job-status.ts'
import { compareTimestamps } from '../common/timestamps.ts'
import { DOCKER_LABEL, decodeJobSpec } from './backend-spec.ts'

/** Anything labelled: a network or a container, with its creation time. */
export interface Labelled {
  created: string
  labels: Record<string, string>
}

/** The JobSpec of the most recently created object that carries one, or null. */
export function newestJobSpec(objects: readonly Labelled[]): JobSpec | null {
  let best: { created: string; job: JobSpec } | null = null
  for (const o of objects) {
    const job = decodeJobSpec(o.labels[DOCKER_LABEL.jobSpec])
    if (job && (!best || compareTimestamps(o.created, best.created) > 0)) best = { created: o.created, job }
  }
  return best?.job ?? null
}

/** The spec with each type's replica count taken from the last observation, when there is one. */
export function withObservedCounts(job: JobSpec, last: JobObservation | null): JobSpec {
  if (!last || last.replicas.length === 0) return job
  return {
    ...job,
    replicaSpecs: job.replicaSpecs.map((s) => ({
      ...s,
      replicas: last.replicas.filter((r) => r.type === s.type).length,
    })),
  }
}
