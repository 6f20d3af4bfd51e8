import { describe, expect, test } from 'bun:test'
import { pytorchJob, tfJob, xgboostJob } from './fixtures.ts'
import { JOB_KINDS, type JobKindInfo } from './kinds.ts'
import { operatorEnv } from './operator-env.ts'
import { replicaViews } from './replica-specs.ts'

const TF = JOB_KINDS.tfjobs as JobKindInfo
const PT = JOB_KINDS.pytorchjobs as JobKindInfo
const XGB = JOB_KINDS.xgboostjobs as JobKindInfo

function envOf(
  info: JobKindInfo,
  body: any,
  type: string,
  index: number,
  containerName = info.containerName,
): Record<string, string> {
  const job = { ...body, metadata: { ...body.metadata, namespace: 'team-a' } }
  const views = replicaViews(info, job)
  return Object.fromEntries(operatorEnv(info, { job, views, type, index, containerName }).map((e) => [e.name, e.value]))
}

describe('TF_CONFIG', () => {
  test('PS:1 Worker:2 in team-a, exactly as the operator writes it', () => {
    const body = tfJob('dist', { PS: {}, Worker: { replicas: 2 } })
    expect(envOf(TF, body, 'Worker', 1).TF_CONFIG).toBe(
      '{"cluster":{"ps":["dist-ps-0.team-a.svc:2222"],' +
        '"worker":["dist-worker-0.team-a.svc:2222","dist-worker-1.team-a.svc:2222"]},' +
        '"task":{"type":"worker","index":1},"environment":"cloud"}',
    )
  })

  test('chief and evaluator come first, in sorted order, with lowercase keys accepted', () => {
    const body = tfJob('dist', { worker: {}, Evaluator: {}, CHIEF: {} })
    expect(envOf(TF, body, 'Chief', 0).TF_CONFIG).toBe(
      '{"cluster":{"chief":["dist-chief-0.team-a.svc:2222"],"evaluator":["dist-evaluator-0.team-a.svc:2222"],' +
        '"worker":["dist-worker-0.team-a.svc:2222"]},"task":{"type":"chief","index":0},"environment":"cloud"}',
    )
  })

  test('a single-replica job gets no TF_CONFIG, and other containers never do', () => {
    expect(envOf(TF, tfJob('solo', { Worker: {} }), 'Worker', 0)).toEqual({})
    expect(envOf(TF, tfJob('dist', { Worker: { replicas: 2 } }), 'Worker', 0, 'sidecar')).toEqual({})
  })

  test('a custom tfjob-port is used in hosts', () => {
    const body: any = tfJob('dist', { Worker: { replicas: 2 } })
    body.spec.tfReplicaSpecs.Worker.template.spec.containers[0].ports = [{ name: 'tfjob-port', containerPort: 3333 }]
    expect(envOf(TF, body, 'Worker', 0).TF_CONFIG).toContain('"dist-worker-1.team-a.svc:3333"')
  })

  test('enableDynamicWorker uses the sparse form', () => {
    const body = tfJob('dist', { PS: {}, Worker: { replicas: 2 } }, { enableDynamicWorker: true })
    expect(envOf(TF, body, 'Worker', 1).TF_CONFIG).toBe(
      '{"cluster":{"worker":{"1":"dist-worker-1.team-a.svc:2222"},"ps":["dist-ps-0.team-a.svc:2222"]},' +
        '"task":{"type":"worker","index":1}}',
    )
  })
})

describe('PyTorch and XGBoost env', () => {
  test('Master:1 Worker:2 torch variables', () => {
    const env = envOf(PT, pytorchJob('ddp', { Master: {}, Worker: { replicas: 2 } }), 'Worker', 0)
    expect(Object.keys(env)).toEqual([
      'PYTHONUNBUFFERED',
      'MASTER_PORT',
      'PET_MASTER_PORT',
      'MASTER_ADDR',
      'PET_MASTER_ADDR',
      'WORLD_SIZE',
      'RANK',
      'PET_NODE_RANK',
      'PET_NPROC_PER_NODE',
      'PET_NNODES',
    ])
    expect(env).toMatchObject({
      MASTER_ADDR: 'ddp-master-0',
      MASTER_PORT: '23456',
      WORLD_SIZE: '3',
      RANK: '1',
      PET_NNODES: '3',
      PET_NPROC_PER_NODE: 'auto',
    })
  })

  test('elastic workers-only jobs get rendezvous variables and no MASTER_ADDR', () => {
    const env = envOf(
      PT,
      pytorchJob(
        'ddp',
        { Worker: { replicas: 3 } },
        { elasticPolicy: { minReplicas: 1, maxReplicas: 3, maxRestarts: 5 } },
      ),
      'Worker',
      2,
    )
    expect(env).toEqual({
      PYTHONUNBUFFERED: '1',
      PET_NPROC_PER_NODE: 'auto',
      PET_RDZV_ENDPOINT: 'ddp-worker-0:23456',
      PET_RDZV_BACKEND: 'c10d',
      PET_NNODES: '1:3',
      PET_MAX_RESTARTS: '5',
    })
  })

  test('XGBoost rank and worker addresses', () => {
    const env = envOf(XGB, xgboostJob('xgb', { Master: {}, Worker: { replicas: 2 } }), 'Worker', 1)
    expect(env).toEqual({
      MASTER_PORT: '9999',
      MASTER_ADDR: 'xgb-master-0',
      WORLD_SIZE: '3',
      RANK: '2',
      PYTHONUNBUFFERED: '1',
      WORKER_PORT: '9999',
      WORKER_ADDRS: 'xgb-worker-0,xgb-worker-1',
    })
  })
})
