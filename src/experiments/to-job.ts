/**
 * @module
 * Pure translation of a stored experiment spec into the runtime-neutral
 * {@link JobSpec}: per task the image (task, then experiment, then stored
 * environment), the command (task, then meta), the env (task envVars replace
 * meta envVars, as in Submarine) and the resources.
 */
import type { JobSpec, ReplicaType } from '../runtime/job.ts'
import type { EnvironmentSpec, ExperimentSpec } from './experiment.ts'
import { frameworkOf } from './normalize-spec.ts'
import { parseResources } from './resources.ts'

/** Submarine submits every replica with `OnFailure` and `backoffLimit: 3` (submarine-semantics.md §6.1). */
export const BACKOFF_LIMIT = 3

/** Builds the job for experiment `id`; `stored` is the environment named by `environment.name`, if any. */
export function toJob(id: string, spec: ExperimentSpec, stored: EnvironmentSpec | null): JobSpec {
  const framework = frameworkOf(spec.meta.framework)
  if (!framework) throw new Error(`stored spec of ${id} has an unknown framework ${spec.meta.framework}`)
  return {
    id,
    name: spec.meta.name,
    namespace: spec.meta.namespace,
    framework,
    restartPolicy: 'OnFailure',
    backoffLimit: BACKOFF_LIMIT,
    activeDeadlineSeconds: spec.meta.activeDeadlineSeconds ?? null,
    replicaSpecs: Object.entries(spec.spec).map(([type, task]) => ({
      type: type as ReplicaType,
      replicas: task.replicas,
      image: task.image ?? spec.environment.image ?? stored?.dockerImage ?? null,
      command: task.cmd ?? spec.meta.cmd ?? '',
      env: Object.entries(task.envVars ?? spec.meta.envVars),
      resources: parseResources(task.resources, `spec.${type}.resources`).resources,
    })),
  }
}
