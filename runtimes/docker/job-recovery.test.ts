import { describe, expect, test } from 'bun:test'
import type { JobSpec } from '../../src/runtime/job.ts'
import type { JobObservation, ReplicaState } from '../../src/runtime/job-status.ts'
import { jobSpec } from '../testing/job-spec.ts'
import { type Labelled, newestJobSpec, withObservedCounts } from './job-recovery.ts'

const job = (workers: number, image = 'img:1'): JobSpec =>
  jobSpec({
    id: 'exp',
    name: 'n',
    framework: 'PyTorch',
    image,
    command: 'c',
    replicas: [{ type: 'Master' }, { type: 'Worker', replicas: workers }],
  })
const labelled = (created: string, spec: JobSpec | null): Labelled => ({
  created,
  labels: spec ? { 'periscope.io/job-spec': JSON.stringify(spec) } : {},
})
const state = (type: 'Master' | 'Worker', index: number): ReplicaState => ({
  type,
  index,
  pod: `exp-${type.toLowerCase()}-${index}`,
  phase: 'Running',
  restartCount: 0,
  exitCode: null,
  waiting: null,
})

describe('job recovery', () => {
  test('takes the spec of the most recently created object (a container made after an update)', () => {
    const spec = newestJobSpec([
      labelled('2026-11-23T11:00:00.5Z', job(1)),
      labelled('2026-11-23T11:05:00Z', job(2, 'img:2')),
      labelled('2026-11-23T11:01:00Z', job(1)),
      labelled('2026-11-23T11:09:00Z', null),
    ])
    expect(spec).toEqual(job(2, 'img:2'))
    expect(newestJobSpec([labelled('2026-11-23T11:00:00Z', null)])).toBeNull()
  })

  test('takes replica counts from the last observation (a scale-down leaves no newer label)', () => {
    const last: JobObservation = {
      jobId: 'exp',
      status: { conditions: [], replicaStatuses: {}, startTime: null, completionTime: null },
      replicas: [state('Master', 0)],
      message: null,
    }
    expect(withObservedCounts(job(2), last).replicaSpecs.map((s) => s.replicas)).toEqual([1, 0])
    expect(withObservedCounts(job(2), null)).toEqual(job(2))
  })
})
