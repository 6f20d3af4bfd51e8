/**
 * @module
 * The environment the training operator injects into each replica
 * (kubeflow-semantics.md §4): `TF_CONFIG` for TensorFlow, the `MASTER_*`/`RANK`/`PET_*`
 * variables for PyTorch, the `MASTER_*`/`WORKER_*` variables for XGBoost. Pure:
 * the runtime says how replicas reach each other through a {@link ReplicaNetwork}.
 */
import { type JobSpec, podName, type ReplicaRef, type ReplicaType, replicaRefs } from '../../src/runtime/job.ts'

/** How replicas address each other on a runtime. */
export interface ReplicaNetwork {
  /** Host written into `TF_CONFIG` (the cluster form is `<pod>.<ns>.svc`). */
  serviceHost(pod: string): string
  /** Host written into `MASTER_ADDR`/`WORKER_ADDRS` (the cluster form is the pod name). */
  shortHost(pod: string): string
  /** Port a replica listens on (the cluster uses the framework's default port for every pod). */
  port(pod: string, defaultPort: number): number
}

/** Default ports of the operator: `tfjob-port`, `pytorchjob-port`, `xgboostjob-port`. */
export const DEFAULT_PORTS = { TensorFlow: 2222, PyTorch: 23456, XGBoost: 9999 } as const

/** The network of a Kubernetes cluster (and of the Docker runtime, which reproduces its DNS names). */
export function clusterNetwork(namespace: string): ReplicaNetwork {
  return { serviceHost: (pod) => `${pod}.${namespace}.svc`, shortHost: (pod) => pod, port: (_pod, port) => port }
}

type Env = Array<[string, string]>

/** The operator's variables for one replica, in the operator's order (appended after the user's env). */
export function operatorEnv(job: JobSpec, ref: Pick<ReplicaRef, 'type' | 'index'>, net: ReplicaNetwork): Env {
  switch (job.framework) {
    case 'TensorFlow':
      return tfEnv(job, ref, net)
    case 'PyTorch':
      return pytorchEnv(job, ref, net)
    case 'XGBoost':
      return xgboostEnv(job, ref, net)
  }
}

/** The user's env followed by the operator's; a later entry for the same name wins. */
export function replicaEnv(job: JobSpec, ref: Pick<ReplicaRef, 'type' | 'index'>, net: ReplicaNetwork): Env {
  const spec = job.replicaSpecs.find((s) => s.type === ref.type)
  const merged = new Map<string, string>()
  for (const [k, v] of [...(spec?.env ?? []), ...operatorEnv(job, ref, net)]) {
    merged.delete(k)
    merged.set(k, v)
  }
  return [...merged]
}

const replicasOf = (job: JobSpec, type: ReplicaType) => job.replicaSpecs.find((s) => s.type === type)?.replicas ?? 0
const totalReplicas = (job: JobSpec) => job.replicaSpecs.reduce((n, s) => n + s.replicas, 0)

function tfEnv(job: JobSpec, ref: Pick<ReplicaRef, 'type' | 'index'>, net: ReplicaNetwork): Env {
  if (totalReplicas(job) === 1) return []
  const cluster: Record<string, string[]> = {}
  const byKey = [...job.replicaSpecs]
    .filter((s) => s.replicas > 0)
    .sort((a, b) => a.type.toLowerCase().localeCompare(b.type.toLowerCase()))
  for (const spec of byKey) {
    cluster[spec.type.toLowerCase()] = Array.from({ length: spec.replicas }, (_, i) => {
      const pod = podName(job.id, spec.type, i)
      return `${net.serviceHost(pod)}:${net.port(pod, DEFAULT_PORTS.TensorFlow)}`
    })
  }
  const tfConfig = { cluster, task: { type: ref.type.toLowerCase(), index: ref.index }, environment: 'cloud' }
  return [['TF_CONFIG', JSON.stringify(tfConfig)]]
}

function pytorchEnv(job: JobSpec, ref: Pick<ReplicaRef, 'type' | 'index'>, net: ReplicaNetwork): Env {
  const env: Env = [['PYTHONUNBUFFERED', '1']]
  const total = totalReplicas(job)
  if (replicasOf(job, 'Master') > 0) {
    const master = podName(job.id, 'Master', 0)
    const port = String(net.port(master, DEFAULT_PORTS.PyTorch))
    const rank = String(ref.type === 'Worker' ? ref.index + 1 : ref.index)
    env.push(
      ['MASTER_PORT', port],
      ['PET_MASTER_PORT', port],
      ['MASTER_ADDR', net.shortHost(master)],
      ['PET_MASTER_ADDR', net.shortHost(master)],
      ['WORLD_SIZE', String(total)],
      ['RANK', rank],
      ['PET_NODE_RANK', rank],
    )
  }
  env.push(['PET_NPROC_PER_NODE', 'auto'], ['PET_NNODES', String(total)])
  return env
}

function xgboostEnv(job: JobSpec, ref: Pick<ReplicaRef, 'type' | 'index'>, net: ReplicaNetwork): Env {
  const master = podName(job.id, 'Master', 0)
  const total = totalReplicas(job)
  const rank = ref.type === 'Worker' ? ref.index + replicasOf(job, 'Master') : ref.index
  const env: Env = [
    ['MASTER_PORT', String(net.port(master, DEFAULT_PORTS.XGBoost))],
    ['MASTER_ADDR', net.shortHost(master)],
    ['WORLD_SIZE', String(total)],
    ['RANK', String(rank)],
    ['PYTHONUNBUFFERED', '1'],
  ]
  if (total > 1) {
    const workers = replicaRefs(job)
      .filter((r) => r.type === 'Worker')
      .map((r) => net.shortHost(r.pod))
    env.push(['WORKER_PORT', String(DEFAULT_PORTS.XGBoost)], ['WORKER_ADDRS', workers.join(',')])
  }
  return env
}
