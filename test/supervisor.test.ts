/**
 * When the runtime cannot take a job, the experiment is kept Accepted with the
 * reason shown, and submitted once the runtime answers; a runtime's refusal is a
 * clear error and stores nothing.
 */
import { afterAll, beforeAll, expect, test } from 'bun:test'
import { createProcessRuntime } from '../runtimes/process/index.ts'
import { waitFor } from '../runtimes/testing/wait-for.ts'
import { GatedRuntime } from './helpers/gated-runtime.ts'
import { startTestServer, type TestServer } from './helpers/test-server.ts'

/** The real process runtime behind a switch: closed, it answers like an unreachable engine. */
let server: TestServer
let gate: GatedRuntime
beforeAll(async () => {
  server = await startTestServer({
    restartBackoffMs: 50,
    makeRuntime: async (instanceId, dataDir) => {
      gate = new GatedRuntime(
        createProcessRuntime({
          dataDir,
          baseEnv: { PATH: process.env.PATH ?? '' },
          namespace: 'default',
          instanceId,
          restartBackoffMs: 50,
          pollMs: 20,
        }),
        false,
      )
      return gate
    },
  })
})
afterAll(() => server.stop())

const spec = {
  meta: { name: 'waits', framework: 'TensorFlow', cmd: 'echo ran' },
  environment: { image: 'x' },
  spec: { Worker: {} },
}

test('an unreachable runtime leaves the experiment Accepted with the reason, and it runs once it answers', async () => {
  const created = await server.json('POST', '/api/v1/experiment', spec)
  expect(created.http).toBe(200)
  expect(created.body.result.status).toBe('Accepted')
  expect(created.body.result.statusMessage).toBe(
    'Waiting to be submitted to the process runtime: connect ECONNREFUSED /var/run/docker.sock',
  )
  const id = created.body.result.experimentId
  expect((await server.request('/readyz')).status).toBe(503)

  await Bun.sleep(500) // a window in which nothing may happen: supervisor rounds while still closed
  const waiting = (await server.json('GET', `/api/v1/experiment/${id}`)).body.result
  // createdTime stays null until the runtime has the job (the README says so).
  expect([waiting.status, waiting.createdTime]).toEqual(['Accepted', null])

  gate.open = true
  const e = await waitFor('the experiment to succeed', async () => {
    const r = (await server.json('GET', `/api/v1/experiment/${id}`)).body.result
    return r.status === 'Succeeded' ? r : null
  })
  expect(e.status).toBe('Succeeded')
  expect(e.statusMessage).toBeNull()
  expect((await server.request('/readyz')).status).toBe(200)
  const logs = await server.json('GET', `/api/v1/experiment/logs/${id}`)
  expect(logs.body.result.logContent[0].podLog).toEqual(['ran'])
})

test("a runtime's refusal answers with its message and stores nothing", async () => {
  const before = (await server.json('GET', '/api/v1/experiment')).body.result.length
  gate.refuse = 'admission webhook "validator.tfjob.training-operator.kubeflow.org" denied the request: no'
  try {
    const res = await server.json('POST', '/api/v1/experiment', spec)
    expect(res.http).toBe(403)
    expect(res.body).toMatchObject({
      status: 'FORBIDDEN',
      code: 403,
      success: false,
      attributes: { reason: 'RUNTIME_REJECTED' },
    })
    expect(res.body.message).toContain('denied the request')
  } finally {
    gate.refuse = null
  }
  expect((await server.json('GET', '/api/v1/experiment')).body.result.length).toBe(before)
})

test('a job deleted while the runtime is unreachable is removed from it once it answers', async () => {
  gate.open = true
  const created = await server.json('POST', '/api/v1/experiment', {
    ...spec,
    meta: { ...spec.meta, cmd: 'echo up; sleep 60' },
  })
  const id = created.body.result.experimentId
  await waitFor(
    'Running',
    async () => (await server.json('GET', `/api/v1/experiment/${id}`)).body.result.status === 'Running',
  )
  gate.open = false
  const deleted = await server.json('DELETE', `/api/v1/experiment/${id}`)
  expect(deleted.body.result.status).toBe('Deleted')
  expect((await server.json('GET', `/api/v1/experiment/${id}`)).http).toBe(404)
  await Bun.sleep(500) // a window in which nothing may happen: supervisor rounds while still unreachable
  expect(await gate.owned()).toContain(id)

  gate.open = true
  await waitFor('the job removed', async () => !(await gate.owned()).includes(id))
  expect(await gate.owned()).not.toContain(id)
})
