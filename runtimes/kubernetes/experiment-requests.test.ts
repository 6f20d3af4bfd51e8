/**
 * What one experiment costs the API server: its create and one log follow per container, over
 * the job's whole life. (Each follow used to be made twice: the kubelet ends a follow as its
 * container exits, a moment before the pod's status says so, and the follower, seeing the
 * container still running, attached again to read an end it already had.) The watches are
 * shared by every experiment, one per kind, and opened before the job: none is made for it.
 */
import { afterAll, expect, test } from 'bun:test'
import { jobSpec } from '../testing/job-spec.ts'
import { waitFor } from '../testing/wait-for.ts'
import { runtimeOnFake } from './testing/runtime-on-fake.ts'

const NAMESPACE = 'experiment-requests'
const { fake, runtime, sink, stop } = await runtimeOnFake(NAMESPACE, 'per-experiment')
afterAll(stop)

test('one experiment costs its create and one log follow per container, every line read', async () => {
  const job = jobSpec({
    namespace: NAMESPACE,
    framework: 'PyTorch',
    image: 'busybox:1.36',
    command: 'echo hi; echo bye',
    // The job succeeds with its Master, and the operator then deletes pods still running: the
    // Master outlives the Worker, so both logs are whole.
    replicas: [{ type: 'Master', command: 'echo hi; sleep 1; echo bye' }, { type: 'Worker' }],
  })
  // Startup: a list then a watch of pods and of each kind, before any experiment.
  await waitFor('the shared watches', () => fake.requests().filter((r) => r.watch).length === 4)
  fake.clearRequests()
  await runtime.submit(job)
  // The terminal status waits for the finished pods' logs to be read to their end.
  await waitFor('the job to succeed', () => sink.lastStatus(job.id)?.status.conditions.at(-1)?.type === 'Succeeded')
  // A window in which nothing may happen: no follow is made again after the job's end.
  await Bun.sleep(1000)
  const pods = `/api/v1/namespaces/${NAMESPACE}/pods`
  expect(fake.requests().map((r) => `${r.method} ${r.path.split('?')[0]}${r.follow ? ' (follow)' : ''}`)).toEqual([
    `POST /apis/kubeflow.org/v1/namespaces/${NAMESPACE}/pytorchjobs`,
    ...[`${pods}/${job.id}-master-0/log (follow)`, `${pods}/${job.id}-worker-0/log (follow)`].map((r) => `GET ${r}`),
  ])
  for (const pod of [`${job.id}-master-0`, `${job.id}-worker-0`]) expect(sink.text(job.id, pod)).toEqual(['hi', 'bye'])
})
