import { describe, expect, test } from 'bun:test'
import {
  expectedReplicas,
  jobStatusOf,
  mergeReplicas,
  nextAttempt,
  observeJob,
  replicaAfterDeletion,
  replicaFromPod,
} from './backend-status.ts'
import type { ContainerStatus, KubeflowJobObject, PodObject } from './kube-types.ts'

const T0 = '2025-01-01T00:00:00Z'
const T1 = '2025-01-01T00:00:05Z'

function pod(name: string, type: string, index: number, status: PodObject['status']): PodObject {
  return {
    metadata: {
      name,
      labels: {
        'training.kubeflow.org/job-name': 'exp-1',
        'training.kubeflow.org/replica-type': type,
        'training.kubeflow.org/replica-index': String(index),
        'periscope.io/instance': 'i',
      },
    },
    status,
  }
}

const container = (c: Partial<ContainerStatus>): ContainerStatus => ({
  name: 'tensorflow',
  restartCount: 0,
  state: {},
  lastState: {},
  ...c,
})

describe('jobStatusOf', () => {
  test('keeps the operator conditions, counts and times as they are', () => {
    const cr: KubeflowJobObject = {
      status: {
        conditions: [
          {
            type: 'Created',
            status: 'True',
            reason: 'TFJobCreated',
            message: 'TFJob exp-1 is created.',
            lastUpdateTime: T0,
            lastTransitionTime: T0,
          },
          {
            type: 'Running',
            status: 'False',
            reason: 'TFJobRunning',
            message: 'running',
            lastUpdateTime: T0,
            lastTransitionTime: T0,
          },
          {
            type: 'Succeeded',
            status: 'True',
            reason: 'TFJobSucceeded',
            message: 'done',
            lastUpdateTime: T1,
            lastTransitionTime: T1,
          },
        ],
        replicaStatuses: { Worker: { succeeded: 1, active: 0 }, PS: {} },
        startTime: T0,
        completionTime: T1,
      },
    }
    expect(jobStatusOf(cr)).toEqual({
      conditions: [
        {
          type: 'Created',
          status: 'True',
          reason: 'TFJobCreated',
          message: 'TFJob exp-1 is created.',
          lastUpdateTime: T0,
          lastTransitionTime: T0,
        },
        {
          type: 'Running',
          status: 'False',
          reason: 'TFJobRunning',
          message: 'running',
          lastUpdateTime: T0,
          lastTransitionTime: T0,
        },
        {
          type: 'Succeeded',
          status: 'True',
          reason: 'TFJobSucceeded',
          message: 'done',
          lastUpdateTime: T1,
          lastTransitionTime: T1,
        },
      ],
      replicaStatuses: { Worker: { succeeded: 1 }, PS: {} },
      startTime: T0,
      completionTime: T1,
    })
  })

  test('reads a resource the operator has not touched yet as an empty status', () => {
    expect(jobStatusOf({})).toEqual({ conditions: [], replicaStatuses: {}, startTime: null, completionTime: null })
  })

  test('drops condition types this server does not know (Suspended) and odd statuses', () => {
    const status = jobStatusOf({
      status: {
        conditions: [
          { type: 'Suspended', status: 'True' },
          { type: 'Created', status: 'Unknown' },
        ],
      },
    })
    expect(status.conditions.map((c) => `${c.type}=${c.status}`)).toEqual(['Created=False'])
  })
})

describe('replicaFromPod', () => {
  test('reads phase, restarts and the last exit code of the framework container', () => {
    const p = pod('exp-1-worker-0', 'worker', 0, {
      phase: 'Running',
      containerStatuses: [
        container({
          restartCount: 2,
          state: { running: { startedAt: T1 } },
          lastState: { terminated: { exitCode: 1 } },
        }),
      ],
    })
    expect(replicaFromPod(p, 'TensorFlow')).toEqual({
      type: 'Worker',
      index: 0,
      pod: 'exp-1-worker-0',
      phase: 'Running',
      restartCount: 2,
      exitCode: 1,
      exitReason: null,
      waiting: null,
      nextAttemptAt: null,
    })
  })

  test('says why a container waits, with the kubelet message', () => {
    const p = pod('exp-1-ps-0', 'ps', 0, {
      phase: 'Pending',
      containerStatuses: [
        container({ state: { waiting: { reason: 'ErrImagePull', message: 'pull access denied for nope' } } }),
      ],
    })
    expect(replicaFromPod(p, 'TensorFlow')).toMatchObject({
      type: 'Ps',
      phase: 'Pending',
      waiting: 'ErrImagePull: pull access denied for nope',
    })
  })

  test('reports unschedulable pods and init containers', () => {
    const unschedulable = pod('exp-1-worker-0', 'worker', 0, {
      phase: 'Pending',
      conditions: [
        { type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message: '0/3 nodes are available' },
      ],
    })
    expect(replicaFromPod(unschedulable, 'TensorFlow')?.waiting).toBe('Unschedulable: 0/3 nodes are available')
    const init = pod('exp-1-worker-0', 'worker', 0, {
      phase: 'Pending',
      initContainerStatuses: [{ name: 'init-pytorch', state: { running: {} } }],
    })
    expect(replicaFromPod(init, 'PyTorch')?.waiting).toBe('PodInitializing')
    expect(replicaFromPod(pod('exp-1-worker-0', 'worker', 0, { phase: 'Pending' }), 'TensorFlow')?.waiting).toBe(
      'ContainerCreating',
    )
  })

  test('ignores pods without the operator labels', () => {
    expect(replicaFromPod({ metadata: { name: 'x' } }, 'TensorFlow')).toBeNull()
  })
})

describe('replicaAfterDeletion', () => {
  const running = pod('exp-1-ps-0', 'ps', 0, {
    phase: 'Running',
    containerStatuses: [container({ state: { running: {} } })],
  })

  test('keeps the exit code the kubelet reported for a container killed on deletion', () => {
    const killed = pod('exp-1-ps-0', 'ps', 0, {
      phase: 'Running',
      containerStatuses: [container({ state: { terminated: { exitCode: 143 } } })],
    })
    expect(replicaAfterDeletion(replicaFromPod(running, 'TensorFlow')!, killed, 'TensorFlow')).toMatchObject({
      phase: 'Running',
      exitCode: 143,
    })
  })

  test('reads a pod deleted while still running as Failed', () => {
    expect(replicaAfterDeletion(replicaFromPod(running, 'TensorFlow')!, running, 'TensorFlow')).toMatchObject({
      phase: 'Failed',
      exitCode: null,
      waiting: null,
    })
  })

  test('keeps a finished pod as it finished', () => {
    const done = pod('exp-1-ps-0', 'ps', 0, {
      phase: 'Succeeded',
      containerStatuses: [container({ state: { terminated: { exitCode: 0 } } })],
    })
    expect(replicaAfterDeletion(replicaFromPod(done, 'TensorFlow')!, done, 'TensorFlow')).toMatchObject({
      phase: 'Succeeded',
      exitCode: 0,
    })
  })
})

describe('replicas of a job', () => {
  const cr: KubeflowJobObject = { spec: { tfReplicaSpecs: { PS: { replicas: 1 }, Worker: { replicas: 2 } } } }

  test('lists every replica the spec asks for, Pending until its pod shows up', () => {
    const worker1 = replicaFromPod(pod('exp-1-worker-1', 'worker', 1, { phase: 'Running' }), 'TensorFlow')!
    const replicas = mergeReplicas(expectedReplicas(cr, 'exp-1', 'TensorFlow'), new Map([[worker1.pod, worker1]]))
    expect(replicas.map((r) => `${r.pod}:${r.phase}`)).toEqual([
      'exp-1-ps-0:Pending',
      'exp-1-worker-0:Pending',
      'exp-1-worker-1:Running',
    ])
    expect(replicas[0]!.waiting).toBe('ContainerCreating')
  })

  test('keeps a pod the spec no longer lists only while it still runs (scale-down)', () => {
    const extra = replicaFromPod(pod('exp-1-worker-5', 'worker', 5, { phase: 'Running' }), 'TensorFlow')!
    expect(
      mergeReplicas(expectedReplicas(cr, 'exp-1', 'TensorFlow'), new Map([[extra.pod, extra]])).map((r) => r.pod),
    ).toContain('exp-1-worker-5')
    const gone = { ...extra, phase: 'Failed' as const }
    expect(
      mergeReplicas(expectedReplicas(cr, 'exp-1', 'TensorFlow'), new Map([[gone.pod, gone]])).map((r) => r.pod),
    ).not.toContain('exp-1-worker-5')
  })

  test('names the first replica stuck before starting in the message', () => {
    const stuck = replicaFromPod(
      pod('exp-1-worker-0', 'worker', 0, {
        phase: 'Pending',
        containerStatuses: [container({ state: { waiting: { reason: 'ImagePullBackOff' } } })],
      }),
      'TensorFlow',
    )!
    expect(observeJob('exp-1', cr, [stuck]).message).toBe('exp-1-worker-0: ImagePullBackOff')
    expect(
      observeJob('exp-1', cr, mergeReplicas(expectedReplicas(cr, 'exp-1', 'TensorFlow'), new Map())).message,
    ).toBeNull()
  })

  test('reads a crash loop: the last exit, its reason, and when the kubelet tries again', () => {
    const looping = replicaFromPod(
      pod('exp-1-worker-0', 'worker', 0, {
        phase: 'Running',
        containerStatuses: [
          container({
            restartCount: 1,
            state: {
              waiting: {
                reason: 'CrashLoopBackOff',
                message: 'back-off 1m20s restarting failed container=tensorflow pod=x',
              },
            },
            lastState: { terminated: { exitCode: 137, reason: 'OOMKilled', finishedAt: '2025-01-01T00:00:00Z' } },
          }),
        ],
      }),
      'TensorFlow',
    )!
    expect(looping).toMatchObject({ exitCode: 137, exitReason: 'OOMKilled', nextAttemptAt: '2025-01-01T00:01:20.000Z' })
    expect(observeJob('exp-1', cr, [looping]).message).toBe(
      'exp-1-worker-0: CrashLoopBackOff: exited with code 137 (OOMKilled); ' +
        '1 of 3 restarts used, next attempt at 2025-01-01T00:01:20.000Z',
    )
  })

  test('parses the back-off of the kubelet message as a Go duration', () => {
    expect(nextAttempt('back-off 10s restarting failed container=a', '2025-01-01T00:00:00Z')).toBe(
      '2025-01-01T00:00:10.000Z',
    )
    expect(nextAttempt('back-off 50ms restarting failed container=a', '2025-01-01T00:00:00Z')).toBe(
      '2025-01-01T00:00:00.050Z',
    )
    expect(nextAttempt('back-off 5m0s restarting failed container=a', '2025-01-01T00:00:00Z')).toBe(
      '2025-01-01T00:05:00.000Z',
    )
    expect(nextAttempt('something else', '2025-01-01T00:00:00Z')).toBeNull()
    expect(nextAttempt('back-off 10s restarting', undefined)).toBeNull()
  })
})
