/**
 * The server with the Kubernetes runtime, when the API server accepts connections
 * and never answers: it starts, keeps experiments Accepted with the reason, says
 * why in /readyz, and runs them once the API server answers.
 */
import { afterAll, beforeAll, expect, test } from 'bun:test'
import { createKubernetesRuntime } from '../runtimes/kubernetes/index.ts'
import { FAST } from '../runtimes/kubernetes/testing/fast-tuning.ts'
import { type SilentServer, startSilentServer } from '../runtimes/kubernetes/testing/silent-server.ts'
import { waitFor } from '../runtimes/testing/wait-for.ts'
import { startTestServer, type TestServer } from './helpers/test-server.ts'
import { type FakeKube, startFakeKube } from './kube-fake/index.ts'

let fake: FakeKube
let silent: SilentServer
let server: TestServer
beforeAll(async () => {
  fake = await startFakeKube({ restartBackoffMs: 20 })
  silent = await startSilentServer()
})
afterAll(async () => {
  await server?.stop()
  await silent?.close()
  await fake?.stop()
})

test('a silent API server: the server starts, experiments wait with the reason and run once it answers', async () => {
  const t0 = Date.now()
  server = await startTestServer({
    makeRuntime: async (instanceId) =>
      createKubernetesRuntime({
        namespace: 'default',
        instanceId,
        restartBackoffMs: 20,
        kubeconfigYaml: fake.kubeconfig().replace(fake.url, silent.url),
        requestTimeoutMs: 300,
        tuning: FAST,
      }),
  })
  expect(Date.now() - t0).toBeLessThan(3000)
  const reason = `timed out after 300 ms talking to the Kubernetes API server at ${silent.url}`

  const ready = await server.json('GET', '/readyz')
  expect(ready.http).toBe(503)
  expect(ready.body.message).toStartWith(
    'The kubernetes runtime is not ready: the Kubernetes API server cannot be reached',
  )
  expect(ready.body.message).toContain(reason)

  const created = await server.json('POST', '/api/v1/experiment', {
    meta: { name: 'waits', framework: 'TensorFlow', cmd: 'echo ran' },
    environment: { image: 'busybox' },
    spec: { Worker: { replicas: 1 } },
  })
  expect(created.http).toBe(200)
  expect(created.body.result.status).toBe('Accepted')
  expect(created.body.result.statusMessage).toStartWith(
    'Waiting to be submitted to the kubernetes runtime: ' +
      'the Kubernetes API server cannot be reached (create tfjobs.kubeflow.org',
  )
  expect(created.body.result.statusMessage).toContain(reason)
  const id = created.body.result.experimentId

  silent.relayTo(Number(new URL(fake.url).port))
  const e = await waitFor(
    'the experiment to finish',
    async () => {
      const got = (await server.json('GET', `/api/v1/experiment/${id}`)).body.result
      return got.status === 'Succeeded' || got.status === 'Failed' ? got : null
    },
    30_000,
  )
  expect(e.status).toBe('Succeeded')
  expect(e.statusMessage).toBeNull()
  expect((await server.request('/readyz')).status).toBe(200)
  // The log is read by its own follower: it may land just after the status.
  const log = await waitFor(
    'the log',
    async () => {
      const lines = (await server.json('GET', `/api/v1/experiment/logs/${id}`)).body.result.logContent[0].podLog
      return lines.length > 0 ? lines : null
    },
    10_000,
  )
  expect(log).toEqual(['ran'])
}, 60_000)

test("a create outlasting its wait on a silent API server shows the runtime's reason, not just the wait", async () => {
  await server.stop()
  silent.relayTo(null)
  const quiet = await startTestServer({
    submitTimeoutMs: 200,
    makeRuntime: async (instanceId) =>
      createKubernetesRuntime({
        namespace: 'default',
        instanceId,
        restartBackoffMs: 20,
        kubeconfigYaml: fake.kubeconfig().replace(fake.url, silent.url),
        requestTimeoutMs: 1000,
        tuning: FAST,
      }),
  })
  try {
    const created = await quiet.json('POST', '/api/v1/experiment', {
      meta: { name: 'waits', framework: 'TensorFlow', cmd: 'echo ran' },
      environment: { image: 'busybox' },
      spec: { Worker: {} },
    })
    expect(created.body.result.status).toBe('Accepted')
    expect(created.body.result.statusMessage).toStartWith(
      'Waiting to be submitted to the kubernetes runtime: the Kubernetes API server cannot be reached (',
    )
    expect(created.body.result.statusMessage).toContain(
      `timed out after 1000 ms talking to the Kubernetes API server at ${silent.url}`,
    )
  } finally {
    await quiet.stop()
  }
}, 30_000)
