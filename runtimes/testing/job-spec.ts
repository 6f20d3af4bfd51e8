/**
 * @module
 * The one `JobSpec` builder for tests: defaults for everything, overrides for
 * what a test is about.
 */
import type { JobSpec, ReplicaSpec } from '../../src/runtime/job.ts'

let counter = 0
/** A fresh experiment id in Submarine's form. */
export function newJobId(): string {
  counter += 1
  return `experiment-${Date.now()}-${String(counter).padStart(4, '0')}`
}

/** One replica type: `type` is required, the rest defaults to the builder's. */
export type ReplicaOptions = Partial<ReplicaSpec> & Pick<ReplicaSpec, 'type'>

export interface JobSpecOptions extends Partial<Omit<JobSpec, 'replicaSpecs'>> {
  /** Default: one Worker. */
  replicas?: ReplicaOptions[]
  /** Image of every replica that names none (default null: the process runtime ignores it). */
  image?: string | null
  /** Command of every replica that names none (default `true`). */
  command?: string
}

/** A job: a fresh id, TensorFlow in `default`, `OnFailure` with `backoffLimit` 3, no code sync, unless overridden. */
export function jobSpec(options: JobSpecOptions = {}): JobSpec {
  const { replicas = [{ type: 'Worker' }], image = null, command = 'true', ...over } = options
  return {
    id: newJobId(),
    name: 'test',
    namespace: 'default',
    framework: 'TensorFlow',
    restartPolicy: 'OnFailure',
    backoffLimit: 3,
    activeDeadlineSeconds: null,
    code: null,
    ...over,
    replicaSpecs: replicas.map((r) => ({ replicas: 1, image, command, env: [], resources: {}, ...r })),
  }
}
