/**
 * @module
 * Pure translation of a stored experiment spec into the runtime-neutral
 * {@link JobSpec}: per task the image (task, then experiment, then stored
 * environment), the command (task, then meta), the env (task envVars replace
 * meta envVars, as in Submarine), the resources, and the repository to check out.
 */
import { splitCredentials } from '../runtime/code-sync.ts'
import type { CodeSync, JobSpec, ReplicaType } from '../runtime/job.ts'
import type { CodeSpec, EnvironmentSpec, ExperimentSpec } from './experiment.ts'
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
    code: codeSyncOf(spec.code),
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

/** Submarine's sync modes that sync nothing (submarine-semantics.md §4); any other mode is git. */
const NO_SYNC_MODES = new Set(['hdfs', 'nfs', 's3'])

/** The repository to check out, with any credentials of its URL moved to the fields; null for none. */
export function codeSyncOf(code: CodeSpec | null): CodeSync | null {
  const git = code?.git
  if (!git || NO_SYNC_MODES.has((code.syncMode ?? '').toLowerCase())) return null
  const split = splitCredentials(git.url)
  return {
    url: split.url,
    branch: git.branch,
    username: git.username ?? split.username,
    password: git.password ?? split.password,
    trustCerts: git.trustCerts === true,
  }
}
