/**
 * @module
 * The experiment as the API shows it, in Submarine's key order (experiment-api.md).
 * Every field is present; unset ones are `null`.
 */
import type { ReplicaType } from '../runtime/job.ts'

export type ExperimentStatus = 'Accepted' | 'Created' | 'Running' | 'Succeeded' | 'Failed'

export interface ExperimentMeta {
  experimentId: string | null
  name: string
  namespace: string
  /** Echoed as sent (`Tensorflow`, `TensorFlow`, …); matched without regard to case. */
  framework: string
  cmd: string | null
  envVars: Record<string, string>
  tags: string[]
  /**
   * periscope's addition, after the document's fields and present only when set: the job's
   * wall-clock limit in seconds, from its start (the operator's `runPolicy.activeDeadlineSeconds`).
   */
  activeDeadlineSeconds?: number
}

export interface KernelSpec {
  name: string | null
  channels: string[]
  condaDependencies: string[]
  pipDependencies: string[]
}

export interface EnvironmentSpec {
  name: string | null
  dockerImage: string | null
  kernelSpec: KernelSpec | null
  description: string | null
  image: string | null
}

export interface TaskSpec {
  replicas: number
  resources: string | null
  name: string | null
  image: string | null
  cmd: string | null
  envVars: Record<string, string> | null
  /** Derived from `resources`, in Submarine's order (`memory`, `cpu`, `nvidia.com/gpu`). */
  resourceMap: Record<string, string>
}

export interface GitCodeSpec {
  url: string
  branch: string
  username: string | null
  password: string | null
  trustCerts: boolean | null
}

export interface CodeSpec {
  syncMode: string | null
  git: GitCodeSpec | null
}

export interface ExperimentSpec {
  meta: ExperimentMeta
  environment: EnvironmentSpec
  /** Task keys in canonical case (`Ps`, `Worker`, …), in the order sent. */
  spec: Partial<Record<ReplicaType, TaskSpec>>
  /**
   * Submarine 0.8's prehandler settings (HDFS and the like). Accepted in requests so that
   * 0.8 clients' bodies pass; periscope runs no prehandler, so it is always written null,
   * as 0.8 writes it for every experiment without one.
   */
  experimentHandlerSpec: null
  code: CodeSpec | null
}

/** The API's experiment object. Fields after `spec` are periscope's additions. */
export interface Experiment {
  experimentId: string
  uid: string
  status: ExperimentStatus | 'Deleted'
  acceptedTime: string | null
  createdTime: string | null
  runningTime: string | null
  finishedTime: string | null
  spec: ExperimentSpec
  /** Why the experiment is waiting or failed, in plain words; null when there is nothing to say. */
  statusMessage: string | null
}

/** Status order: a stored status never moves back. */
export const STATUS_RANK: Readonly<Record<ExperimentStatus, number>> = {
  Accepted: 0,
  Created: 1,
  Running: 2,
  Succeeded: 3,
  Failed: 3,
}

export const STATUSES: readonly ExperimentStatus[] = ['Accepted', 'Created', 'Running', 'Succeeded', 'Failed']

/** Every status a `?status=` filter takes: the stored ones and `Deleted` (which no stored experiment has). */
export const FILTER_STATUSES: readonly (ExperimentStatus | 'Deleted')[] = [...STATUSES, 'Deleted']
