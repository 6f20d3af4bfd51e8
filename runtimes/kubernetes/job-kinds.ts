/**
 * @module
 * The three Kubeflow v1 job kinds this runtime creates, and how to address them
 * (kubeflow-semantics.md §1.1).
 */
import { type Framework, jobKind } from '../../src/runtime/job.ts'

export const KUBEFLOW_GROUP = 'kubeflow.org'
export const KUBEFLOW_VERSION = 'v1'

/** One custom resource kind of the training operator. */
export interface JobKind {
  kind: 'TFJob' | 'PyTorchJob' | 'XGBoostJob'
  plural: 'tfjobs' | 'pytorchjobs' | 'xgboostjobs'
  framework: Framework
  /** The replica map under `spec` (`tfReplicaSpecs` …). */
  replicaMap: 'tfReplicaSpecs' | 'pytorchReplicaSpecs' | 'xgbReplicaSpecs'
}

/** Every kind, in a fixed order (watched in this order). */
export const JOB_KINDS: readonly JobKind[] = [
  { kind: 'TFJob', plural: 'tfjobs', framework: 'TensorFlow', replicaMap: 'tfReplicaSpecs' },
  { kind: 'PyTorchJob', plural: 'pytorchjobs', framework: 'PyTorch', replicaMap: 'pytorchReplicaSpecs' },
  { kind: 'XGBoostJob', plural: 'xgboostjobs', framework: 'XGBoost', replicaMap: 'xgbReplicaSpecs' },
]

/** The kind that runs a framework. */
export function kindOf(framework: Framework): JobKind {
  const name = jobKind(framework)
  return JOB_KINDS.find((k) => k.kind === name)!
}

/** `tfjobs.kubeflow.org`: how the API server names the resource in messages. */
export function resourceName(kind: JobKind): string {
  return `${kind.plural}.${KUBEFLOW_GROUP}`
}
