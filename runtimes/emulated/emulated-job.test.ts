import { beforeEach, describe, expect, test } from 'bun:test'
import type { ReplicaRef } from '../../src/runtime/job.ts'
import type { JobObservation } from '../../src/runtime/job-status.ts'
import { jobSpec } from '../testing/job-spec.ts'
import { EmulatedJob, type ReplicaDriver } from './emulated-job.ts'
import { FakeClock } from './testing/fake-clock.ts'

/** A driver that records what the operator asks for; the test plays the runtime's part. */
class RecordingDriver implements ReplicaDriver {
  launches: Array<{ pod: string; attempt: number }> = []
  stops: string[] = []
  async launch(ref: ReplicaRef, attempt: number): Promise<void> {
    this.launches.push({ pod: ref.pod, attempt })
  }
  async stop(ref: ReplicaRef): Promise<void> {
    this.stops.push(ref.pod)
  }
}

const flush = () => new Promise((resolve) => setImmediate(resolve))
const statusOf = (o: JobObservation) => o.status.conditions.at(-1)?.type ?? 'none'

describe('EmulatedJob on a fake clock', () => {
  let clock: FakeClock
  let driver: RecordingDriver
  let reports: JobObservation[]
  const worker = 'exp-1-worker-0'
  const start = () => {
    const spec = jobSpec({ id: 'exp-1', replicas: [{ type: 'Worker' }] })
    return new EmulatedJob(spec, driver, (o) => reports.push(o), {
      restartBackoffMs: 10_000,
      now: clock.iso,
      timers: clock,
    })
  }

  beforeEach(() => {
    clock = new FakeClock()
    driver = new RecordingDriver()
    reports = []
  })

  test('a replica that exits 0 succeeds the job and starts nothing more', async () => {
    const job = start()
    await job.run()
    job.running(worker)
    expect(statusOf(job.observation)).toBe('Running')
    job.exited(worker, 0)
    expect(statusOf(job.observation)).toBe('Succeeded')
    expect(job.observation.message).toBeNull()
    clock.advance(600_000)
    expect(driver.launches).toEqual([{ pod: worker, attempt: 0 }])
  })

  test('restarts a failing replica after 10, 20, 40 s, explaining each wait; fails the job at the limit', async () => {
    const job = start()
    await job.run()
    for (const [attempt, delay] of [
      [0, 10_000],
      [1, 20_000],
      [2, 40_000],
    ] as const) {
      job.running(worker)
      job.exited(worker, 3)
      const next = new Date(Date.parse(clock.iso()) + delay).toISOString()
      expect(job.observation.message).toBe(
        `${worker}: CrashLoopBackOff: exited with code 3; ${attempt} of 3 restarts used, next attempt at ${next}`,
      )
      expect(statusOf(job.observation)).toBe('Running')
      clock.advance(delay - 1)
      await flush()
      expect(driver.launches.length).toBe(attempt + 1) // not a moment early
      clock.advance(1)
      await flush()
      if (attempt < 2) expect(driver.launches.at(-1)).toEqual({ pod: worker, attempt: attempt + 1 })
    }
    // The third restart is due: the backoff limit is reached instead, and nothing is launched.
    expect(driver.launches.map((l) => l.attempt)).toEqual([0, 1, 2])
    expect(statusOf(job.observation)).toBe('Failed')
    expect(job.observation.message).toBe(
      `Failed: ${worker} exited with code 3 after 3 of 3 restarts (backoffLimit reached)`,
    )
    expect(job.observation.status.completionTime).toBe(clock.iso())
    expect(driver.stops).toContain(worker)
    expect(clock.pending).toBe(0)
  })

  test('an OOM kill is named in the message', async () => {
    const job = start()
    await job.run()
    job.running(worker)
    job.exited(worker, 137, 'OOMKilled')
    expect(job.observation.message).toStartWith(
      `${worker}: CrashLoopBackOff: exited with code 137 (OOMKilled); 0 of 3 restarts used`,
    )
    expect(job.observation.replicas[0]).toMatchObject({ exitReason: 'OOMKilled', waiting: 'CrashLoopBackOff' })
  })

  test('a failed launch leaves the replica waiting with the reason and is retried with doubling delays', async () => {
    const spec = jobSpec({ id: 'exp-1', replicas: [{ type: 'Worker' }] })
    let fail = 2
    const failing: ReplicaDriver = {
      launch: async (ref, attempt) => {
        driver.launches.push({ pod: ref.pod, attempt })
        if (fail-- > 0) throw new Error('ErrImagePull: pull access denied')
      },
      stop: async () => {},
    }
    const job = new EmulatedJob(spec, failing, (o) => reports.push(o), {
      restartBackoffMs: 10_000,
      now: clock.iso,
      timers: clock,
    })
    await job.run()
    expect(job.observation.message).toBe(`${worker}: ErrImagePull: pull access denied`)
    clock.advance(10_000)
    await flush()
    expect(driver.launches.length).toBe(2)
    clock.advance(19_999)
    await flush()
    expect(driver.launches.length).toBe(2)
    clock.advance(1)
    await flush()
    expect(driver.launches.length).toBe(3)
    job.running(worker)
    expect(job.observation.replicas[0]).toMatchObject({ phase: 'Running', restartCount: 0, waiting: null })
  })

  test('dispose cancels pending restarts; the replicas are left alone', async () => {
    const job = start()
    await job.run()
    job.running(worker)
    job.exited(worker, 1)
    expect(clock.pending).toBe(1)
    job.dispose()
    expect(clock.pending).toBe(0)
    expect(driver.stops).toEqual([])
  })

  test('fails the job at its deadline, stops its replicas and launches nothing more', async () => {
    const spec = jobSpec({ id: 'exp-1', replicas: [{ type: 'Worker' }], activeDeadlineSeconds: 60 })
    const job = new EmulatedJob(spec, driver, (o) => reports.push(o), {
      restartBackoffMs: 10_000,
      now: clock.iso,
      timers: clock,
    })
    await job.run()
    job.running(worker)
    const startTime = job.observation.status.startTime
    clock.advance(59_999)
    await flush()
    expect(statusOf(job.observation)).toBe('Running') // not a moment early
    expect(driver.stops).toEqual([])
    clock.advance(1)
    await flush()
    expect(statusOf(job.observation)).toBe('Failed')
    expect(job.observation.status.conditions.at(-1)?.message).toBe(
      'Job exp-1 has failed because it was active longer than specified deadline',
    )
    expect(job.observation.message).toBe(
      'Failed: DeadlineExceeded: the job ran longer than its deadline of 60 s (activeDeadlineSeconds) ' +
        'and its replicas were stopped',
    )
    expect(job.observation.status.startTime).toBe(startTime)
    expect(job.observation.status.completionTime).toBe(clock.iso())
    expect(driver.stops).toEqual([worker])
    expect(clock.pending).toBe(0)
    // A crash now restarts nothing: the job has ended.
    job.exited(worker, 1)
    clock.advance(600_000)
    expect(driver.launches).toEqual([{ pod: worker, attempt: 0 }])
  })

  test('keeps the deadline across a restart: counted from the stored startTime, not from the resume', async () => {
    const spec = jobSpec({ id: 'exp-1', replicas: [{ type: 'Worker' }], activeDeadlineSeconds: 60 })
    const options = { restartBackoffMs: 10_000, now: clock.iso, timers: clock }
    const first = new EmulatedJob(spec, driver, (o) => reports.push(o), options)
    await first.run()
    first.running(worker)
    clock.advance(50_000)
    first.dispose() // the server stops; the replica runs on
    expect(clock.pending).toBe(0)
    const resumed = new EmulatedJob(spec, driver, (o) => reports.push(o), options, first.observation)
    resumed.running(worker)
    expect(statusOf(resumed.observation)).toBe('Running')
    clock.advance(9_999)
    expect(statusOf(resumed.observation)).toBe('Running')
    clock.advance(1)
    expect(statusOf(resumed.observation)).toBe('Failed')
    expect(resumed.observation.status.completionTime).toBe(clock.iso())
  })

  test('a job resumed after its deadline passed fails at once', async () => {
    const spec = jobSpec({ id: 'exp-1', replicas: [{ type: 'Worker' }], activeDeadlineSeconds: 60 })
    const options = { restartBackoffMs: 10_000, now: clock.iso, timers: clock }
    const first = new EmulatedJob(spec, driver, (o) => reports.push(o), options)
    await first.run()
    first.running(worker)
    first.dispose()
    clock.advance(3_600_000)
    const resumed = new EmulatedJob(spec, driver, (o) => reports.push(o), options, first.observation)
    await resumed.run()
    clock.advance(0)
    expect(statusOf(resumed.observation)).toBe('Failed')
    expect(driver.stops).toEqual([worker])
    expect(driver.launches).toHaveLength(1)
  })

  test('reports each change once, in order', async () => {
    const job = start()
    await job.run()
    job.running(worker)
    job.running(worker)
    job.exited(worker, 0)
    expect(reports.map(statusOf)).toEqual(['Created', 'Running', 'Succeeded'])
  })
})
