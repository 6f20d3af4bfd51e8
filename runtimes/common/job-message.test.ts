import { describe, expect, test } from 'bun:test'
import { emptyJobStatus, type JobStatus, type ReplicaState } from '../../src/runtime/job-status.ts'
import { jobMessage } from './job-message.ts'

const replica = (over: Partial<ReplicaState> = {}): ReplicaState => ({
  type: 'Worker',
  index: 0,
  pod: 'exp-1-worker-0',
  phase: 'Running',
  restartCount: 0,
  exitCode: null,
  waiting: null,
  ...over,
})
const withCondition = (type: 'Failed' | 'Succeeded'): JobStatus => ({
  ...emptyJobStatus(),
  conditions: [{ type, status: 'True', reason: '', message: '', lastUpdateTime: '', lastTransitionTime: '' }],
})
const job = { backoffLimit: 3 }

describe('jobMessage', () => {
  test('says nothing while replicas are on their way or running', () => {
    expect(jobMessage(job, emptyJobStatus(), [replica({ phase: 'Pending', waiting: 'ContainerCreating' })])).toBeNull()
    expect(
      jobMessage(job, emptyJobStatus(), [
        replica({ phase: 'Pending', waiting: 'PodInitializing: waiting for exp-1-master-0 to resolve' }),
      ]),
    ).toBeNull()
    expect(jobMessage(job, emptyJobStatus(), [replica()])).toBeNull()
  })

  test('names the replica stuck before starting, and why', () => {
    const stuck = replica({ pod: 'exp-1-worker-1', phase: 'Pending', waiting: 'ErrImagePull: no such image' })
    expect(jobMessage(job, emptyJobStatus(), [replica(), stuck])).toBe('exp-1-worker-1: ErrImagePull: no such image')
  })

  test('explains a crash loop: exit code, reason, restarts used of the limit, next attempt', () => {
    const looping = replica({
      exitCode: 137,
      exitReason: 'OOMKilled',
      waiting: 'CrashLoopBackOff',
      restartCount: 1,
      nextAttemptAt: '2025-01-01T00:00:20.000Z',
    })
    expect(jobMessage(job, emptyJobStatus(), [looping])).toBe(
      'exp-1-worker-0: CrashLoopBackOff: exited with code 137 (OOMKilled); ' +
        '1 of 3 restarts used, next attempt at 2025-01-01T00:00:20.000Z',
    )
    expect(
      jobMessage(job, emptyJobStatus(), [replica({ exitCode: 2, exitReason: 'Error', waiting: 'CrashLoopBackOff' })]),
    ).toBe('exp-1-worker-0: CrashLoopBackOff: exited with code 2; 0 of 3 restarts used')
  })

  test('names the replica and exit code that failed the job', () => {
    const replicas = [
      replica({ pod: 'exp-1-ps-0', type: 'Ps', exitCode: 143, restartCount: 0 }),
      replica({ exitCode: 3, restartCount: 3 }),
    ]
    expect(jobMessage(job, withCondition('Failed'), replicas)).toBe(
      'Failed: exp-1-worker-0 exited with code 3 after 3 of 3 restarts (backoffLimit reached)',
    )
    expect(jobMessage(job, withCondition('Failed'), [replica({ exitCode: 0 })])).toBeNull()
  })

  test('says nothing once the job succeeded, even about a replica that was crash-looping', () => {
    expect(
      jobMessage(job, withCondition('Succeeded'), [replica({ exitCode: 1, waiting: 'CrashLoopBackOff' })]),
    ).toBeNull()
  })
})
