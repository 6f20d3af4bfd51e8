import { expect, test } from 'bun:test'
import type { JobCondition, JobObservation } from '../runtime/job-status.ts'
import { mergeStatus, statusOf } from './experiment-status.ts'

const cond = (type: JobCondition['type'], at: string, status: 'True' | 'False' = 'True'): JobCondition => ({
  type,
  status,
  reason: type,
  message: `${type} message`,
  lastUpdateTime: at,
  lastTransitionTime: at,
})
const obs = (conditions: JobCondition[], completionTime: string | null = null): JobObservation => ({
  jobId: 'x',
  status: { conditions, replicaStatuses: {}, startTime: conditions[0]?.lastTransitionTime ?? null, completionTime },
  replicas: [],
  message: null,
})

test('the last condition decides the status, with the time of each condition', () => {
  expect(statusOf(obs([])).status).toBe('Accepted')
  expect(statusOf(obs([cond('Created', 't1')]))).toMatchObject({
    status: 'Created',
    createdTime: 't1',
    runningTime: null,
  })
  expect(statusOf(obs([cond('Created', 't1'), cond('Running', 't2')]))).toMatchObject({
    status: 'Running',
    runningTime: 't2',
  })
  expect(statusOf(obs([cond('Created', 't1'), cond('Restarting', 't3')]))).toMatchObject({
    status: 'Running',
    runningTime: 't3',
  })
  const done = statusOf(obs([cond('Created', 't1'), cond('Running', 't2', 'False'), cond('Succeeded', 't4')], 't4'))
  expect(done).toMatchObject({
    status: 'Succeeded',
    createdTime: 't1',
    runningTime: 't2',
    finishedTime: 't4',
    message: null,
  })
  expect(statusOf(obs([cond('Created', 't1'), cond('Failed', 't5')]))).toMatchObject({
    status: 'Failed',
    finishedTime: 't5',
    message: 'Failed message',
  })
})

test('a status never moves back and a stamped time never changes', () => {
  const stored = { status: 'Running' as const, createdTime: 't1', runningTime: 't2', finishedTime: null }
  expect(
    mergeStatus(stored, { status: 'Created', createdTime: 't9', runningTime: null, finishedTime: null, message: null }),
  ).toEqual(stored)
  const done = mergeStatus(stored, {
    status: 'Succeeded',
    createdTime: 't9',
    runningTime: 't9',
    finishedTime: 't4',
    message: null,
  })
  expect(done).toEqual({ status: 'Succeeded', createdTime: 't1', runningTime: 't2', finishedTime: 't4' })
  expect(
    mergeStatus(done, { status: 'Failed', createdTime: null, runningTime: null, finishedTime: 't8', message: null }),
  ).toEqual(done)
})

test('times are only stamped once their status is reached', () => {
  const accepted = { status: 'Accepted' as const, createdTime: null, runningTime: null, finishedTime: null }
  expect(
    mergeStatus(accepted, {
      status: 'Created',
      createdTime: 't1',
      runningTime: 't2',
      finishedTime: 't3',
      message: null,
    }),
  ).toEqual({
    status: 'Created',
    createdTime: 't1',
    runningTime: null,
    finishedTime: null,
  })
})
