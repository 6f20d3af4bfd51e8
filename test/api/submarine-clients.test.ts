/**
 * What Submarine 0.8's own clients send and read (submarine-clients.md): any valid
 * `?status=` (Deleted included, any case) answered, `experimentHandlerSpec` taken and
 * written null between `spec` and `code`, `createdTime` set on the first read once the
 * runtime has the job, and `GET /` answering 200.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import type { JobSpec } from '../../src/runtime/job.ts'
import type { Runtime } from '../../src/runtime/runtime.ts'
import { startTestServer, type TestServer } from '../helpers/test-server.ts'
import { EXPERIMENTS, expectError, expectOk, SPEC_KEYS, shutdown, singleBody, UTC_MILLIS } from './fixtures.ts'

describe('on the process runtime', () => {
  let server: TestServer
  beforeAll(async () => {
    server = await startTestServer()
  })
  afterAll(() => shutdown(server))

  test('?status= takes every status in any case, Deleted too (matching nothing); an unknown one is a 400', async () => {
    const e = expectOk(await server.json('POST', EXPERIMENTS, singleBody('status-filter', 'sleep 30')))
    for (const path of [EXPERIMENTS, `${EXPERIMENTS}/logs`]) {
      for (const status of ['Deleted', 'deleted', 'DELETED', 'succeeded', 'Failed'])
        expect({ path, status, result: expectOk(await server.json('GET', `${path}?status=${status}`)) }).toEqual({
          path,
          status,
          result: [],
        })
      const running = expectOk(await server.json('GET', `${path}?status=accepted`)).concat(
        expectOk(await server.json('GET', `${path}?status=CREATED`)),
        expectOk(await server.json('GET', `${path}?status=running`)),
      )
      expect(running.map((x: any) => x.experimentId)).toEqual([e.experimentId])
      expectError(
        await server.json('GET', `${path}?status=Sleeping`),
        400,
        'INVALID_QUERY',
        'Invalid query parameter status="Sleeping"; expected one ' +
          'of Accepted, Created, Running, Succeeded, Failed, Deleted',
      )
    }
  })

  test('experimentHandlerSpec is taken in a body, written null between spec and code, as 0.8 writes it', async () => {
    const body = {
      ...singleBody('handler-spec', 'echo hi'),
      experimentHandlerSpec: { FILE_SYSTEM_TYPE: 'HDFS', HDFS_PORT: 9000, ENABLE_KERBEROS: false },
      code: { syncMode: 'git', git: { url: 'https://github.com/apache/submarine.git' } },
    }
    const created = expectOk(await server.json('POST', EXPERIMENTS, body))
    expect(Object.keys(created.spec)).toEqual(SPEC_KEYS)
    expect(SPEC_KEYS.slice(2)).toEqual(['spec', 'experimentHandlerSpec', 'code'])
    expect(created.spec.experimentHandlerSpec).toBeNull()
    const got = expectOk(await server.json('GET', `${EXPERIMENTS}/${created.experimentId}`))
    expect(Object.keys(got.spec)).toEqual(SPEC_KEYS)
    // A GET answer sent back as a PATCH (experimentHandlerSpec: null in it) is taken.
    expect(expectOk(await server.json('PATCH', `${EXPERIMENTS}/${created.experimentId}`, got.spec)).spec).toEqual(
      got.spec,
    )
    const bad = await server.json('POST', EXPERIMENTS, { ...body, experimentHandlerSpec: ['HDFS'] })
    expectError(bad, 400, 'INVALID_SPEC', /^Invalid experiment spec: experimentHandlerSpec: expected an object/)
  })

  test('an experiment read right after it was created has createdTime set (the runtime has the job)', async () => {
    const created = expectOk(await server.json('POST', EXPERIMENTS, singleBody('created-time', 'sleep 30')))
    const got = expectOk(await server.json('GET', `${EXPERIMENTS}/${created.experimentId}`))
    expect(got.createdTime).toMatch(UTC_MILLIS)
    const listed = expectOk(await server.json('GET', EXPERIMENTS)).find(
      (x: any) => x.experimentId === created.experimentId,
    )
    expect(listed.createdTime).toBe(got.createdTime)
  })

  test('GET / answers 200: the envelope naming the API and the document, or the web page for a browser', async () => {
    const json = expectOk(await server.json('GET', '/'))
    expect(json).toEqual({
      name: 'periscope',
      description: "Apache Submarine's Experiment REST API",
      version: 'test',
      api: '/api/v1',
      openapi: '/openapi.json',
    })
    const page = await server.request('/', { headers: { accept: 'text/html,application/xhtml+xml' } })
    expect(page.status).toBe(200)
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8')
    // A browser gets periscope's web page.
    expect(await page.text()).toContain('<title>periscope</title>')
  })
})

/**
 * A runtime that takes every job and reports nothing, like a cluster whose operator has
 * not acted yet: what the server shows comes from the acceptance alone.
 */
function silentRuntime(): Runtime {
  const jobs = new Set<string>()
  return {
    name: 'process',
    start: async () => {},
    submit: async (job: JobSpec) => void jobs.add(job.id),
    update: async () => {},
    delete: async (id) => void jobs.delete(id),
    owned: async () => [...jobs],
    unavailable: () => null,
    dispose: async () => {},
  }
}

test('createdTime is when the runtime accepted the job, not a later report; the create answer keeps null', async () => {
  const server = await startTestServer({ makeRuntime: async () => silentRuntime() })
  try {
    const created = expectOk(await server.json('POST', EXPERIMENTS, singleBody('accepted-only', 'echo hi')))
    expect([created.status, created.createdTime]).toEqual(['Accepted', null])
    const got = expectOk(await server.json('GET', `${EXPERIMENTS}/${created.experimentId}`))
    expect(got.status).toBe('Accepted')
    expect(got.createdTime).toMatch(UTC_MILLIS)
    expect(Date.parse(got.createdTime)).toBeGreaterThanOrEqual(Date.parse(got.acceptedTime))
  } finally {
    await shutdown(server)
  }
})
