/**
 * Environment the training operator appends to pod containers (semantics doc §4): TF_CONFIG for
 * TFJob, the torchrun variables for PyTorchJob, the rabit/xgboost variables for XGBoostJob.
 * @module
 */
import type { JobKindInfo } from './kinds.ts'
import { podName, type ReplicaView, replicaPort, totalReplicas } from './replica-specs.ts'
import type { Json, KubeObject } from './types.ts'

/** A container env entry with a literal value. */
export interface EnvVar {
  name: string
  value: string
}

/** Which pod the env is for. */
export interface EnvTarget {
  job: KubeObject
  views: readonly ReplicaView[]
  type: string
  index: number
  /** The container receiving the env; TF_CONFIG goes to the framework container only. */
  containerName: string
}

/** The env the operator appends for this container, in the operator's order. */
export function operatorEnv(info: JobKindInfo, target: EnvTarget): EnvVar[] {
  switch (info.plural) {
    case 'tfjobs':
      return target.containerName === info.containerName ? tfEnv(info, target) : []
    case 'pytorchjobs':
      return pytorchEnv(info, target)
    case 'xgboostjobs':
      return xgboostEnv(info, target)
    default:
      return []
  }
}

function tfEnv(info: JobKindInfo, { job, views, type, index }: EnvTarget): EnvVar[] {
  // A single-replica job is not distributed: no TF_CONFIG (§2.3).
  if (totalReplicas(views) === 1) return []
  const ns = job.metadata.namespace as string
  const host = (v: ReplicaView, i: number) =>
    `${podName(job.metadata.name, v.type, i)}.${ns}.svc:${replicaPort(info, v)}`
  const task = { type: type.toLowerCase(), index }
  if (job.spec?.enableDynamicWorker) {
    const worker: Record<string, string> = {}
    const ps: string[] = []
    for (const v of views) {
      if (v.type === 'PS') for (let i = 0; i < v.replicas; i++) if (type !== 'PS' || i === index) ps.push(host(v, i))
      if (v.type === 'Worker' && type === 'Worker') worker[String(index)] = host(v, index)
    }
    return [{ name: 'TF_CONFIG', value: JSON.stringify({ cluster: { worker, ps }, task }) }]
  }
  const cluster: Record<string, string[]> = {}
  for (const v of [...views].sort((a, b) => a.type.toLowerCase().localeCompare(b.type.toLowerCase()))) {
    cluster[v.type.toLowerCase()] = Array.from({ length: v.replicas }, (_, i) => host(v, i))
  }
  return [{ name: 'TF_CONFIG', value: JSON.stringify({ cluster, task, environment: 'cloud' }) }]
}

function pytorchEnv(info: JobKindInfo, { job, views, type, index }: EnvTarget): EnvVar[] {
  const name = job.metadata.name
  const spec: Json = job.spec ?? {}
  const total = totalReplicas(views)
  const master = views.find((v) => v.type === 'Master')
  const worker = views.find((v) => v.type === 'Worker')
  const elastic: Json = spec.elasticPolicy
  const env: EnvVar[] = [{ name: 'PYTHONUNBUFFERED', value: '1' }]
  if (master) {
    const port = String(replicaPort(info, master))
    const nproc = /^\d+$/.test(String(spec.nprocPerNode ?? '')) ? Number(spec.nprocPerNode) : 1
    const rank = String(type === 'Master' ? index : index + 1)
    env.push(
      { name: 'MASTER_PORT', value: port },
      { name: 'PET_MASTER_PORT', value: port },
      { name: 'MASTER_ADDR', value: podName(name, 'Master', 0) },
      { name: 'PET_MASTER_ADDR', value: podName(name, 'Master', 0) },
      { name: 'WORLD_SIZE', value: String(total * nproc) },
      { name: 'RANK', value: rank },
      { name: 'PET_NODE_RANK', value: rank },
    )
  }
  if (elastic?.nProcPerNode === undefined)
    env.push({ name: 'PET_NPROC_PER_NODE', value: String(spec.nprocPerNode ?? 'auto') })
  if (elastic) {
    const workers = worker?.replicas ?? 0
    const min = elastic.minReplicas ?? elastic.maxReplicas ?? workers
    const max = elastic.maxReplicas ?? elastic.minReplicas ?? workers
    const rdzvHost = elastic.rdzvHost ?? podName(name, 'Worker', 0)
    const rdzvPort = elastic.rdzvPort ?? replicaPort(info, worker)
    env.push(
      { name: 'PET_RDZV_ENDPOINT', value: `${rdzvHost}:${rdzvPort}` },
      { name: 'PET_RDZV_BACKEND', value: elastic.rdzvBackend ?? 'c10d' },
      { name: 'PET_NNODES', value: `${min}:${max}` },
    )
    if (elastic.maxRestarts !== undefined) env.push({ name: 'PET_MAX_RESTARTS', value: String(elastic.maxRestarts) })
    if (elastic.nProcPerNode !== undefined)
      env.push({ name: 'PET_NPROC_PER_NODE', value: String(elastic.nProcPerNode) })
    if (elastic.rdzvId !== undefined) env.push({ name: 'PET_RDZV_ID', value: String(elastic.rdzvId) })
    if (Array.isArray(elastic.rdzvConf) && elastic.rdzvConf.length > 0) {
      env.push({ name: 'PET_RDZV_CONF', value: elastic.rdzvConf.map((c: Json) => `${c.key}=${c.value}`).join(',') })
    }
    if (elastic.standalone) env.push({ name: 'PET_STANDALONE', value: '' })
  } else {
    env.push({ name: 'PET_NNODES', value: String(total) })
  }
  return env
}

function xgboostEnv(info: JobKindInfo, { job, views, type, index }: EnvTarget): EnvVar[] {
  const name = job.metadata.name
  const total = totalReplicas(views)
  const master = views.find((v) => v.type === 'Master')
  const worker = views.find((v) => v.type === 'Worker')
  const masterReplicas = master?.replicas ?? 0
  const env: EnvVar[] = [
    { name: 'MASTER_PORT', value: String(replicaPort(info, master)) },
    { name: 'MASTER_ADDR', value: podName(name, 'Master', 0) },
    { name: 'WORLD_SIZE', value: String(total) },
    { name: 'RANK', value: String(type === 'Master' ? index : index + masterReplicas) },
    { name: 'PYTHONUNBUFFERED', value: '1' },
  ]
  if (total > 1) {
    const workers = Array.from({ length: worker?.replicas ?? 0 }, (_, i) => podName(name, 'Worker', i))
    env.push(
      { name: 'WORKER_PORT', value: String(replicaPort(info, worker)) },
      { name: 'WORKER_ADDRS', value: workers.join(',') },
    )
  }
  return env
}
