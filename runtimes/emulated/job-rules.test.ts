import { describe, expect, test } from 'bun:test'
import type { JobSpec, ReplicaType } from '../../src/runtime/job.ts'
import { podName } from '../../src/runtime/job.ts'
import {
  emptyJobStatus,
  isDeadlineExceeded,
  type JobCondition,
  type PodPhase,
  type ReplicaState,
} from '../../src/runtime/job-status.ts'
import { jobSpec } from '../testing/job-spec.ts'
import { countReplicas, deadlineAt, reconcileJob, setCondition } from './job-rules.ts'

const T0 = '2026-01-01T00:00:00.000Z'
const T1 = '2026-01-01T00:00:01.000Z'
const T2 = '2026-01-01T00:00:02.000Z'

const job = (framework: JobSpec['framework'], replicas: Array<[ReplicaType, number]>, backoffLimit = 3): JobSpec =>
  jobSpec({
    id: 'exp',
    name: 'exp',
    namespace: 'ns',
    framework,
    backoffLimit,
    replicas: replicas.map(([type, n]) => ({ type, replicas: n })),
  })
const pod = (type: ReplicaType, index: number, phase: PodPhase, extra: Partial<ReplicaState> = {}): ReplicaState => ({
  type,
  index,
  pod: podName('exp', type, index),
  phase,
  restartCount: 0,
  exitCode: phase === 'Succeeded' ? 0 : null,
  waiting: null,
  ...extra,
})
const types = (c: JobCondition[]) => c.map((x) => `${x.type}=${x.status}`)
const run = (j: JobSpec, pods: ReplicaState[], prev = emptyJobStatus(), now = T1) => reconcileJob(j, prev, pods, now)

describe('condition bookkeeping (kubeflow-semantics §2.2)', () => {
  const c = (type: JobCondition['type'], reason = `TFJob${type}`) => ({
    type,
    status: 'True' as const,
    reason,
    message: `${type}!`,
  })

  test('appends a new condition with both times set to now', () => {
    expect(setCondition([], c('Created'), T0)).toEqual([
      { ...c('Created'), lastUpdateTime: T0, lastTransitionTime: T0 },
    ])
  })
  test('keeps an identical condition and its old message', () => {
    const once = setCondition([], c('Running'), T0)
    expect(setCondition(once, { ...c('Running'), message: 'other' }, T1)).toEqual(once)
  })
  test('moves a changed condition to the end and keeps its transition time when the status is unchanged', () => {
    const list = setCondition(setCondition([], c('Running'), T0), c('Created'), T1)
    const next = setCondition(list, c('Running', 'Other'), T2)
    expect(types(next)).toEqual(['Created=True', 'Running=True'])
    expect(next[1]).toMatchObject({ reason: 'Other', lastUpdateTime: T2, lastTransitionTime: T0 })
  })
  test('Running and Restarting exclude each other', () => {
    const restarting = setCondition(setCondition([], c('Running'), T0), c('Restarting'), T1)
    expect(types(restarting)).toEqual(['Restarting=True'])
    expect(types(setCondition(restarting, c('Running'), T2))).toEqual(['Running=True'])
  })
  test('a terminal condition flips Running to False, leaving its time', () => {
    const done = setCondition(setCondition(setCondition([], c('Created'), T0), c('Running'), T0), c('Succeeded'), T1)
    expect(types(done)).toEqual(['Created=True', 'Running=False', 'Succeeded=True'])
    expect(done[1]!.lastTransitionTime).toBe(T0)
  })
  test('Failed is terminal: nothing changes afterwards', () => {
    const failed = setCondition([], c('Failed'), T0)
    expect(setCondition(failed, c('Running'), T1)).toEqual(failed)
  })
})

describe('TFJob rules (§2.3)', () => {
  const psWorkers = job('TensorFlow', [
    ['Ps', 1],
    ['Worker', 2],
  ])

  test('the first pass adds Created and the start time', () => {
    const d = run(psWorkers, [pod('Ps', 0, 'Pending'), pod('Worker', 0, 'Pending'), pod('Worker', 1, 'Pending')])
    expect(types(d.status.conditions)).toEqual(['Created=True'])
    expect(d.status.conditions[0]).toMatchObject({ reason: 'TFJobCreated', message: 'TFJob exp is created.' })
    expect(d.status.startTime).toBe(T1)
    expect(d.finished).toBe(false)
  })
  test('runs while a worker is active; PS alone never makes it run', () => {
    expect(types(run(psWorkers, [pod('Ps', 0, 'Running')]).status.conditions)).toEqual(['Created=True'])
    const d = run(psWorkers, [pod('Ps', 0, 'Running'), pod('Worker', 0, 'Running')])
    expect(d.status.conditions.at(-1)).toMatchObject({
      type: 'Running',
      reason: 'TFJobRunning',
      message: 'TFJob ns/exp is running.',
    })
  })
  test('succeeds when worker-0 succeeds, even with other workers and PS running', () => {
    const running = run(
      psWorkers,
      [pod('Ps', 0, 'Running'), pod('Worker', 0, 'Running'), pod('Worker', 1, 'Running')],
      emptyJobStatus(),
      T0,
    )
    const d = run(
      psWorkers,
      [pod('Ps', 0, 'Running'), pod('Worker', 0, 'Succeeded'), pod('Worker', 1, 'Running')],
      running.status,
    )
    expect(types(d.status.conditions)).toEqual(['Created=True', 'Running=False', 'Succeeded=True'])
    expect(d.status.conditions.at(-1)!.message).toBe('TFJob ns/exp successfully completed.')
    expect(d.finished).toBe(true)
    expect(d.status.completionTime).toBe(T1)
  })
  test('records Created then Succeeded when the job was too fast to be seen running', () => {
    const d = run(psWorkers, [pod('Ps', 0, 'Running'), pod('Worker', 0, 'Succeeded'), pod('Worker', 1, 'Running')])
    expect(types(d.status.conditions)).toEqual(['Created=True', 'Succeeded=True'])
  })
  test('does not succeed when only worker-1 succeeded', () => {
    const d = run(psWorkers, [pod('Ps', 0, 'Running'), pod('Worker', 0, 'Running'), pod('Worker', 1, 'Succeeded')])
    expect(d.finished).toBe(false)
  })
  test('with a Chief, only the chief decides', () => {
    const j = job('TensorFlow', [
      ['Chief', 1],
      ['Worker', 2],
    ])
    expect(
      run(j, [pod('Chief', 0, 'Running'), pod('Worker', 0, 'Succeeded'), pod('Worker', 1, 'Succeeded')]).finished,
    ).toBe(false)
    expect(
      run(j, [pod('Chief', 0, 'Succeeded'), pod('Worker', 0, 'Running'), pod('Worker', 1, 'Running')]).finished,
    ).toBe(true)
  })
  test('a failed pod fails the job, naming the replica type', () => {
    const d = run(psWorkers, [pod('Ps', 0, 'Failed'), pod('Worker', 0, 'Running')])
    expect(d.status.conditions.at(-1)).toMatchObject({
      type: 'Failed',
      message: 'TFJob ns/exp has failed because 1 PS replica(s) failed.',
    })
  })
  test('counts only Running pods as active and omits zeros', () => {
    expect(
      countReplicas([pod('Ps', 0, 'Pending'), pod('Worker', 0, 'Running'), pod('Worker', 1, 'Succeeded')]),
    ).toEqual({
      PS: {},
      Worker: { active: 1, succeeded: 1 },
    })
  })
})

describe('PyTorchJob and XGBoostJob rules (§2.4, §4.3)', () => {
  test('PyTorch with a master: master success succeeds the job while workers run', () => {
    const j = job('PyTorch', [
      ['Master', 1],
      ['Worker', 2],
    ])
    const running = run(j, [pod('Master', 0, 'Running'), pod('Worker', 0, 'Running')])
    expect(running.status.conditions.at(-1)!.message).toBe('PyTorchJob exp is running.')
    const done = run(
      j,
      [pod('Master', 0, 'Succeeded'), pod('Worker', 0, 'Running'), pod('Worker', 1, 'Running')],
      running.status,
      T2,
    )
    expect(types(done.status.conditions)).toEqual(['Created=True', 'Running=False', 'Succeeded=True'])
    expect(done.status.conditions.at(-1)!.message).toBe('PyTorchJob exp is successfully completed.')
  })
  test('PyTorch workers only: succeeds when all workers succeed', () => {
    const j = job('PyTorch', [['Worker', 2]])
    expect(run(j, [pod('Worker', 0, 'Succeeded'), pod('Worker', 1, 'Running')]).finished).toBe(false)
    const d = run(j, [pod('Worker', 0, 'Succeeded'), pod('Worker', 1, 'Succeeded')])
    expect(d.status.conditions.at(-1)!.message).toBe('PyTorchJob ns/exp successfully completed.')
  })
  test('a failed PyTorch pod under OnFailure means Restarting, not Failed', () => {
    const j = job('PyTorch', [
      ['Master', 1],
      ['Worker', 1],
    ])
    const d = run(j, [pod('Master', 0, 'Running'), pod('Worker', 0, 'Failed')])
    expect(d.status.conditions.at(-1)).toMatchObject({
      type: 'Restarting',
      message: 'PyTorchJob exp is restarting because 1 Worker replica(s) failed.',
    })
    expect(d.finished).toBe(false)
  })
  test('XGBoost master success re-asserts Running, then Succeeded', () => {
    const j = job('XGBoost', [
      ['Master', 1],
      ['Worker', 1],
    ])
    const d = run(j, [pod('Master', 0, 'Succeeded'), pod('Worker', 0, 'Running')])
    expect(types(d.status.conditions)).toEqual(['Created=True', 'Running=False', 'Succeeded=True'])
  })
})

describe('backoff limit (§2.5)', () => {
  const j = job('TensorFlow', [['Worker', 2]])
  test('fails the job when the restarts of running pods reach the limit', () => {
    const d = run(j, [
      pod('Worker', 0, 'Running', { restartCount: 2 }),
      pod('Worker', 1, 'Running', { restartCount: 1 }),
    ])
    expect(d.backoffExceeded).toBe(true)
    expect(d.status.conditions.at(-1)).toMatchObject({
      type: 'Failed',
      reason: 'TFJobFailed',
      message: 'Job exp has failed because it has reached the specified backoff limit',
    })
    expect(d.status.completionTime).toBe(T1)
  })
  test('does not count restarts of pods that are not running', () => {
    expect(
      run(j, [pod('Worker', 0, 'Succeeded', { restartCount: 3 }), pod('Worker', 1, 'Running')]).backoffExceeded,
    ).toBe(false)
  })
  test('a limit of 0 fails on the first restart', () => {
    expect(
      run(job('TensorFlow', [['Worker', 1]], 0), [pod('Worker', 0, 'Running', { restartCount: 1 })]).backoffExceeded,
    ).toBe(true)
  })
})

describe('activeDeadlineSeconds (§2.5)', () => {
  const j = { ...job('TensorFlow', [['Worker', 1]]), activeDeadlineSeconds: 2 }
  const started = run(j, [pod('Worker', 0, 'Running')], emptyJobStatus(), T0).status
  test('is counted from startTime', () => {
    expect(started.startTime).toBe(T0)
    expect(deadlineAt(j, started)).toBe(Date.parse(T0) + 2000)
    expect(deadlineAt({ activeDeadlineSeconds: null }, started)).toBeNull()
    expect(deadlineAt(j, emptyJobStatus())).toBeNull()
  })
  test('leaves a job alone until the deadline, then fails it with the operator reason and message', () => {
    const before = reconcileJob(j, started, [pod('Worker', 0, 'Running')], '2026-01-01T00:00:01.999Z')
    expect(before.finished).toBe(false)
    const d = reconcileJob(j, started, [pod('Worker', 0, 'Running')], T2)
    expect(d.finished).toBe(true)
    expect(d.backoffExceeded).toBe(true) // the same teardown as the backoff limit
    expect(d.status.conditions.at(-1)).toMatchObject({
      type: 'Failed',
      reason: 'TFJobFailed',
      message: 'Job exp has failed because it was active longer than specified deadline',
    })
    expect(isDeadlineExceeded(d.status)).toBe(true)
    expect(d.status.completionTime).toBe(T2)
  })
  test('the backoff limit is checked first', () => {
    const d = reconcileJob(j, started, [pod('Worker', 0, 'Running', { restartCount: 3 })], T2)
    expect(d.status.conditions.at(-1)?.message).toContain('backoff limit')
    expect(isDeadlineExceeded(d.status)).toBe(false)
  })
})

test('a finished job is returned unchanged, counts frozen', () => {
  const j = job('TensorFlow', [['Worker', 1]])
  const done = run(j, [pod('Worker', 0, 'Succeeded')])
  const later = reconcileJob(j, done.status, [pod('Worker', 0, 'Failed')], T2)
  expect(later.status).toEqual(done.status)
  expect(later.finished).toBe(false)
})
