/**
 * The resources the fake serves: the three Kubeflow job kinds and the core kinds the operator and
 * kubelet produce, with the per-framework facts of the semantics doc §1.1.
 * @module
 */

/** How one resource is addressed and named. */
export interface ResourceInfo {
  plural: string
  kind: string
  listKind: string
  /** "" for the core group. */
  group: string
  version: string
  apiVersion: string
  namespaced: true
}

/** Per-framework facts the simulated operator needs (semantics doc §1.1). */
export interface JobKindInfo extends ResourceInfo {
  /** e.g. `tfReplicaSpecs` */
  replicaSpecsField: string
  /** The container the operator reads and injects into, e.g. `tensorflow`. */
  containerName: string
  portName: string
  defaultPort: number
  defaultRestartPolicy: string
  /** Value of the `training.kubeflow.org/operator-name` label and event source. */
  controllerName: string
  /** Canonical replica types this kind accepts, in the operator's visiting order. */
  replicaTypes: readonly string[]
  /** CRD file name in `test/fixtures/kubeflow-crds/`. */
  crdFile: string
}

/** The Kubeflow job kinds, by plural. */
export const JOB_KINDS: Readonly<Record<string, JobKindInfo>> = {
  tfjobs: {
    plural: 'tfjobs',
    kind: 'TFJob',
    listKind: 'TFJobList',
    group: 'kubeflow.org',
    version: 'v1',
    apiVersion: 'kubeflow.org/v1',
    namespaced: true,
    replicaSpecsField: 'tfReplicaSpecs',
    containerName: 'tensorflow',
    portName: 'tfjob-port',
    defaultPort: 2222,
    defaultRestartPolicy: 'Never',
    controllerName: 'tfjob-controller',
    replicaTypes: ['Chief', 'Evaluator', 'Master', 'PS', 'Worker'],
    crdFile: 'kubeflow.org_tfjobs.yaml',
  },
  pytorchjobs: {
    plural: 'pytorchjobs',
    kind: 'PyTorchJob',
    listKind: 'PyTorchJobList',
    group: 'kubeflow.org',
    version: 'v1',
    apiVersion: 'kubeflow.org/v1',
    namespaced: true,
    replicaSpecsField: 'pytorchReplicaSpecs',
    containerName: 'pytorch',
    portName: 'pytorchjob-port',
    defaultPort: 23456,
    defaultRestartPolicy: 'OnFailure',
    controllerName: 'pytorchjob-controller',
    replicaTypes: ['Master', 'Worker'],
    crdFile: 'kubeflow.org_pytorchjobs.yaml',
  },
  xgboostjobs: {
    plural: 'xgboostjobs',
    kind: 'XGBoostJob',
    listKind: 'XGBoostJobList',
    group: 'kubeflow.org',
    version: 'v1',
    apiVersion: 'kubeflow.org/v1',
    namespaced: true,
    replicaSpecsField: 'xgbReplicaSpecs',
    containerName: 'xgboost',
    portName: 'xgboostjob-port',
    defaultPort: 9999,
    defaultRestartPolicy: 'Never',
    controllerName: 'xgboostjob-controller',
    replicaTypes: ['Master', 'Worker'],
    crdFile: 'kubeflow.org_xgboostjobs.yaml',
  },
}

/** The core resources the fake serves, by plural. */
export const CORE_KINDS: Readonly<Record<string, ResourceInfo>> = {
  pods: {
    plural: 'pods',
    kind: 'Pod',
    listKind: 'PodList',
    group: '',
    version: 'v1',
    apiVersion: 'v1',
    namespaced: true,
  },
  services: {
    plural: 'services',
    kind: 'Service',
    listKind: 'ServiceList',
    group: '',
    version: 'v1',
    apiVersion: 'v1',
    namespaced: true,
  },
  events: {
    plural: 'events',
    kind: 'Event',
    listKind: 'EventList',
    group: '',
    version: 'v1',
    apiVersion: 'v1',
    namespaced: true,
  },
}

/** The Kubeflow group served under `/apis/kubeflow.org/v1`. */
export const KUBEFLOW_GROUP = 'kubeflow.org'

const CANONICAL_TYPES = ['PS', 'Worker', 'Chief', 'Master', 'Evaluator']

/**
 * Canonical replica-type name for a replica-map key, case-insensitively (semantics doc §1.2:
 * defaulting renames `worker` or `WORKER` to `Worker`). Unknown keys come back unchanged.
 */
export function canonicalReplicaType(key: string): string {
  return CANONICAL_TYPES.find((t) => t.toLowerCase() === key.toLowerCase()) ?? key
}

/** The resource's name as RBAC and error messages print it: `tfjobs.kubeflow.org` or `pods`. */
export function qualifiedResource(info: { plural: string; group: string }): string {
  return info.group ? `${info.plural}.${info.group}` : info.plural
}

/** Looks a served resource up by plural, job kinds first. */
export function resourceInfo(plural: string): ResourceInfo | undefined {
  return JOB_KINDS[plural] ?? CORE_KINDS[plural]
}
