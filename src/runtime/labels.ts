/**
 * @module
 * Labels put on every runtime object: the training operator's pod labels
 * (kubeflow-semantics.md §3.2) and this server's ownership labels, so that
 * everything a server created can be found again by label alone.
 */
import { isMasterRole, type JobSpec, operatorName, type ReplicaRef } from './job.ts'

/** This server's label keys. */
export const LABEL = {
  experimentId: 'periscope.io/experiment-id',
  instance: 'periscope.io/instance',
  jobName: 'training.kubeflow.org/job-name',
  operatorName: 'training.kubeflow.org/operator-name',
  replicaType: 'training.kubeflow.org/replica-type',
  replicaIndex: 'training.kubeflow.org/replica-index',
  jobRole: 'training.kubeflow.org/job-role',
} as const

/** Options every runtime factory receives from the server's configuration. */
export interface RuntimeBaseOptions {
  /** Namespace written into names and labels (`--namespace`). */
  namespace: string
  /** Identifies this server's data dir; objects labelled with another instance are not ours. */
  instanceId: string
  /** First in-place restart delay of a failed replica (the kubelet uses 10 s, doubling). */
  restartBackoffMs: number
}

/** Labels that mark an object as this server's, for one experiment. */
export function ownerLabels(jobId: string, instanceId: string): Record<string, string> {
  return { [LABEL.experimentId]: jobId, [LABEL.instance]: instanceId }
}

/** Label selector for everything one server instance owns. */
export function instanceSelector(instanceId: string): string {
  return `${LABEL.instance}=${instanceId}`
}

/** The operator's labels for one replica's pod (`job-role` only on the master-role replica). */
export function podLabels(job: JobSpec, ref: Pick<ReplicaRef, 'type' | 'index'>): Record<string, string> {
  const labels: Record<string, string> = {
    [LABEL.operatorName]: operatorName(job.framework),
    [LABEL.jobName]: job.id,
    [LABEL.replicaType]: ref.type.toLowerCase(),
    [LABEL.replicaIndex]: String(ref.index),
  }
  if (isMasterRole(job, ref)) labels[LABEL.jobRole] = 'master'
  return labels
}
