/**
 * @module
 * The few shapes of Kubernetes objects this runtime reads, as plain structural
 * types (JSON off the wire). Everything is optional because a partial or newer
 * object must never crash the reader.
 */

export interface ObjectMeta {
  name?: string
  namespace?: string
  uid?: string
  resourceVersion?: string
  creationTimestamp?: string
  deletionTimestamp?: string
  labels?: Record<string, string>
  annotations?: Record<string, string>
}

/** Any object the API server returns. */
export interface KubeObject {
  apiVersion?: string
  kind?: string
  metadata?: ObjectMeta
}

/** A Kubeflow job condition as stored (`status.conditions[]`). */
export interface KubeCondition {
  type?: string
  status?: string
  reason?: string
  message?: string
  lastUpdateTime?: string
  lastTransitionTime?: string
}

/** A TFJob / PyTorchJob / XGBoostJob as read back. */
export interface KubeflowJobObject extends KubeObject {
  spec?: Record<string, unknown>
  status?: {
    conditions?: KubeCondition[]
    replicaStatuses?: Record<string, { active?: number; succeeded?: number; failed?: number }>
    startTime?: string
    completionTime?: string
  }
}

export interface ContainerState {
  waiting?: { reason?: string; message?: string }
  running?: { startedAt?: string }
  terminated?: {
    exitCode?: number
    reason?: string
    message?: string
    startedAt?: string
    finishedAt?: string
    containerID?: string
  }
}

export interface ContainerStatus {
  name?: string
  containerID?: string
  restartCount?: number
  state?: ContainerState
  lastState?: ContainerState
}

export interface PodObject extends KubeObject {
  /** Only what is read: the init containers' env (the code localizer's repository). */
  spec?: { initContainers?: Array<{ name?: string; env?: Array<{ name?: string; value?: string }> }> }
  status?: {
    phase?: string
    conditions?: Array<{ type?: string; status?: string; reason?: string; message?: string }>
    containerStatuses?: ContainerStatus[]
    initContainerStatuses?: ContainerStatus[]
  }
}

/** A list response. */
export interface KubeList<T extends KubeObject = KubeObject> {
  metadata?: { resourceVersion?: string }
  items?: T[]
}

/** One event of a watch stream. */
export interface WatchEvent<T extends KubeObject = KubeObject> {
  type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR'
  object: T
}

/** The API server's error body (`kind: Status`). */
export interface KubeStatus {
  kind?: string
  status?: string
  message?: string
  reason?: string
  code?: number
  details?: {
    name?: string
    group?: string
    kind?: string
    causes?: Array<{ reason?: string; message?: string; field?: string }>
  }
}
