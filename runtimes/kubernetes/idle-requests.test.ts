/**
 * What the runtime asks of the API server once a job has finished: nothing, while nothing
 * changes. (A finished pod's log follower used to be re-made each time it ended, re-reading
 * the end of the log thousands of times a second for as long as the pod was kept.)
 */
import { afterAll, expect, test } from 'bun:test'
import { jobSpec } from '../testing/job-spec.ts'
import { waitFor } from '../testing/wait-for.ts'
import { runtimeOnFake } from './testing/runtime-on-fake.ts'

const NAMESPACE = 'idle-requests'
const { fake, runtime, sink, stop } = await runtimeOnFake(NAMESPACE, 'idle')
afterAll(stop)

test('a finished job costs no API request while nothing changes, and each container log is read once', async () => {
  const job = jobSpec({
    namespace: NAMESPACE,
    framework: 'PyTorch',
    image: 'busybox:1.36',
    command: 'echo hi',
    replicas: [{ type: 'Master' }, { type: 'Worker' }],
  })
  fake.clearRequests()
  await runtime.submit(job)
  await waitFor('the job to succeed', () => sink.lastStatus(job.id)?.status.conditions.at(-1)?.type === 'Succeeded')
  await waitFor('the master log', () => sink.text(job.id, `${job.id}-master-0`).includes('hi'))
  const follows = () => fake.requests().filter((r) => r.path.includes('/log'))
  // Each container's log is read at most a few times (attach, and the read to its end), never in a loop.
  expect(follows().length).toBeLessThanOrEqual(6)
  fake.clearRequests()
  // A window in which nothing may happen: the job is over and nothing changes.
  await Bun.sleep(1000)
  expect(fake.requests().map((r) => `${r.method} ${r.path}`)).toEqual([])
})
