/**
 * @module
 * The runtime-neutral job: what every runtime is asked to run. Built from an
 * experiment spec by `src/experiments/to-job.ts`; pure data, stored nowhere.
 */

/** Frameworks in their canonical spelling. */
export type Framework = 'TensorFlow' | 'PyTorch' | 'XGBoost'

/** Replica types as Submarine spells the task keys (`Ps`, not the operator's `PS`). */
export type ReplicaType = 'Chief' | 'Master' | 'Ps' | 'Worker' | 'Evaluator'

/** Allowed replica types per framework, in Submarine's order (used in error messages). */
export const REPLICA_TYPES: Readonly<Record<Framework, readonly ReplicaType[]>> = {
  TensorFlow: ['Ps', 'Worker', 'Chief', 'Master', 'Evaluator'],
  PyTorch: ['Master', 'Worker'],
  XGBoost: ['Master', 'Worker'],
}

/** Resource requests of one replica, as given in `resources` (`cpu=1,memory=1024M,nvidia.com/gpu=1`). */
export interface Resources {
  /** Kubernetes quantity, e.g. `1`, `500m`, `0.5`. */
  cpu?: string
  /** Kubernetes quantity, e.g. `1024M`, `2Gi`. */
  memory?: string
  /** Whole GPUs (`nvidia.com/gpu` or `gpu`). */
  gpu?: number
}

/** One replica type of a job. */
export interface ReplicaSpec {
  type: ReplicaType
  replicas: number
  /** Container image; `null` only for the process runtime, which ignores images. */
  image: string | null
  /** Shell command, run as `sh -c <command>` by every runtime. */
  command: string
  /** User environment in the order given (task envVars replace meta envVars, as in Submarine). */
  env: ReadonlyArray<readonly [string, string]>
  resources: Resources
}

/**
 * A git repository checked out before the replicas' commands start (`code.git` of the
 * experiment, Submarine's `syncMode: git`). The rules and names are in `code-sync.ts`.
 */
export interface CodeSync {
  /** Without credentials: any `user:password@` of the experiment's URL is moved to the fields below. */
  url: string
  branch: string
  username: string | null
  /** Never logged, labelled or written into a container or custom-resource spec in plain text. */
  password: string | null
  /** Skip TLS certificate checks (`trustCerts`). */
  trustCerts: boolean
}

/** Everything a runtime needs to run one experiment. */
export interface JobSpec {
  /** The experiment id; every runtime object is named from it. */
  id: string
  /** Experiment name (`meta.name`), for labels only. */
  name: string
  namespace: string
  framework: Framework
  /** In the order of the experiment spec. */
  replicaSpecs: readonly ReplicaSpec[]
  /** Submarine always submits `OnFailure` with `backoffLimit: 3`. */
  restartPolicy: 'OnFailure'
  backoffLimit: number
  /**
   * Wall-clock limit from the job's `startTime` (`meta.activeDeadlineSeconds`), or null for none:
   * past it the operator fails the job and stops its replicas (kubeflow-semantics.md §2.5).
   */
  activeDeadlineSeconds: number | null
  /** The repository every replica starts in; absent or null for none. */
  code?: CodeSync | null
}

/** One replica instance (a "pod") of a job. */
export interface ReplicaRef {
  type: ReplicaType
  index: number
  /** `<jobId>-<type lower case>-<index>`, the operator's pod name. */
  pod: string
}

/** The operator's pod name: `<job>-<lowercase type>-<index>`. */
export function podName(jobId: string, type: ReplicaType, index: number): string {
  return `${jobId}-${type.toLowerCase()}-${index}`
}

/** Every replica of a job, in spec order then index order. */
export function replicaRefs(job: {
  id: string
  replicaSpecs: ReadonlyArray<Pick<ReplicaSpec, 'type' | 'replicas'>>
}): ReplicaRef[] {
  return job.replicaSpecs.flatMap((spec) =>
    Array.from({ length: spec.replicas }, (_, index) => ({
      type: spec.type,
      index,
      pod: podName(job.id, spec.type, index),
    })),
  )
}

/** The operator's container name for a framework (`tensorflow`, `pytorch`, `xgboost`). */
export function containerName(framework: Framework): string {
  return framework.toLowerCase()
}

/** The operator's controller name, used in the `operator-name` label. */
export function operatorName(framework: Framework): string {
  return `${framework.toLowerCase()}job-controller`.replace('tensorflowjob', 'tfjob')
}

/**
 * Which replica carries `training.kubeflow.org/job-role=master`: TF the Chief/Master if
 * present else worker-0; PyTorch and XGBoost master-0 if present else worker-0.
 */
export function isMasterRole(job: Pick<JobSpec, 'replicaSpecs'>, ref: Pick<ReplicaRef, 'type' | 'index'>): boolean {
  const has = (t: ReplicaType) => job.replicaSpecs.some((s) => s.type === t && s.replicas > 0)
  if (has('Chief') || has('Master')) return ref.type === 'Chief' || ref.type === 'Master'
  return ref.type === 'Worker' && ref.index === 0
}

/** The Kubeflow replica-map key for a Submarine task type (`Ps` → `PS`). */
export function operatorReplicaKey(type: ReplicaType): string {
  return type === 'Ps' ? 'PS' : type
}

/** The custom resource kind for a framework. */
export function jobKind(framework: Framework): 'TFJob' | 'PyTorchJob' | 'XGBoostJob' {
  return framework === 'TensorFlow' ? 'TFJob' : framework === 'PyTorch' ? 'PyTorchJob' : 'XGBoostJob'
}
