import { describe, expect, test } from 'bun:test'
import type { JobSpec, ReplicaSpec } from '../../src/runtime/job.ts'
import { jobSpec, type ReplicaOptions } from '../testing/job-spec.ts'
import { clusterNetwork, operatorEnv, replicaEnv } from './operator-env.ts'

const job = (framework: JobSpec['framework'], id: string, replicas: ReplicaOptions[]): JobSpec =>
  jobSpec({ id, name: id, namespace: 'team-a', framework, replicas, image: 'img' })
const net = clusterNetwork('team-a')
const env = (j: JobSpec, type: ReplicaSpec['type'], index: number) =>
  Object.fromEntries(operatorEnv(j, { type, index }, net))

describe('TF_CONFIG', () => {
  const dist = job('TensorFlow', 'dist', [{ type: 'Ps' }, { type: 'Worker', replicas: 2 }])

  test('matches the operator byte for byte for PS:1, Worker:2 (kubeflow-semantics §4.1)', () => {
    const cluster =
      '{"ps":["dist-ps-0.team-a.svc:2222"],"worker":["dist-worker-0.team-a.svc:2222","dist-worker-1.team-a.svc:2222"]}'
    expect(env(dist, 'Ps', 0).TF_CONFIG).toBe(
      `{"cluster":${cluster},"task":{"type":"ps","index":0},"environment":"cloud"}`,
    )
    expect(env(dist, 'Worker', 0).TF_CONFIG).toBe(
      `{"cluster":${cluster},"task":{"type":"worker","index":0},"environment":"cloud"}`,
    )
    expect(env(dist, 'Worker', 1).TF_CONFIG).toBe(
      `{"cluster":${cluster},"task":{"type":"worker","index":1},"environment":"cloud"}`,
    )
  })

  test('sorts cluster keys, chief and evaluator first, whatever the spec order', () => {
    const j = job('TensorFlow', 'dist', [{ type: 'Worker' }, { type: 'Ps' }, { type: 'Evaluator' }, { type: 'Chief' }])
    const config = JSON.parse(env(j, 'Chief', 0).TF_CONFIG!)
    expect(Object.keys(config.cluster)).toEqual(['chief', 'evaluator', 'ps', 'worker'])
    expect(config.task).toEqual({ type: 'chief', index: 0 })
  })

  test('is not set for a one-replica job', () => {
    expect(env(job('TensorFlow', 'solo', [{ type: 'Worker' }]), 'Worker', 0)).toEqual({})
  })
})

describe('PyTorch variables', () => {
  const ddp = job('PyTorch', 'ddp', [{ type: 'Master' }, { type: 'Worker', replicas: 2 }])

  test('match the operator table for Master:1, Worker:2 (kubeflow-semantics §4.2), in order', () => {
    expect(operatorEnv(ddp, { type: 'Worker', index: 1 }, net)).toEqual([
      ['PYTHONUNBUFFERED', '1'],
      ['MASTER_PORT', '23456'],
      ['PET_MASTER_PORT', '23456'],
      ['MASTER_ADDR', 'ddp-master-0'],
      ['PET_MASTER_ADDR', 'ddp-master-0'],
      ['WORLD_SIZE', '3'],
      ['RANK', '2'],
      ['PET_NODE_RANK', '2'],
      ['PET_NPROC_PER_NODE', 'auto'],
      ['PET_NNODES', '3'],
    ])
    expect([env(ddp, 'Master', 0).RANK, env(ddp, 'Worker', 0).RANK]).toEqual(['0', '1'])
  })

  test('workers-only jobs get no MASTER_ADDR, RANK or WORLD_SIZE', () => {
    const e = env(job('PyTorch', 'w', [{ type: 'Worker', replicas: 2 }]), 'Worker', 1)
    expect(e).toEqual({ PYTHONUNBUFFERED: '1', PET_NPROC_PER_NODE: 'auto', PET_NNODES: '2' })
  })
})

test('XGBoost variables follow §4.3 in order', () => {
  const xgb = job('XGBoost', 'xgb', [{ type: 'Master' }, { type: 'Worker', replicas: 2 }])
  expect(operatorEnv(xgb, { type: 'Worker', index: 0 }, net)).toEqual([
    ['MASTER_PORT', '9999'],
    ['MASTER_ADDR', 'xgb-master-0'],
    ['WORLD_SIZE', '3'],
    ['RANK', '1'],
    ['PYTHONUNBUFFERED', '1'],
    ['WORKER_PORT', '9999'],
    ['WORKER_ADDRS', 'xgb-worker-0,xgb-worker-1'],
  ])
})

test('the user env comes first and the operator wins a clash', () => {
  const j = job('PyTorch', 'ddp', [
    {
      type: 'Master',
      env: [
        ['A', '1'],
        ['RANK', 'mine'],
      ],
    },
  ])
  expect(replicaEnv(j, { type: 'Master', index: 0 }, net).slice(0, 2)).toEqual([
    ['A', '1'],
    ['PYTHONUNBUFFERED', '1'],
  ])
  expect(Object.fromEntries(replicaEnv(j, { type: 'Master', index: 0 }, net)).RANK).toBe('0')
})
