/**
 * A create, patch or delete is answered only once its commit is durable (the WAL fsync
 * has completed); reads do not wait; a created job runs only once its row is durable. The
 * fsync is the real one, held back by a gate.
 */
import { afterAll, beforeAll, expect, test } from 'bun:test'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { waitFor } from '../runtimes/testing/wait-for.ts'
import { EXPERIMENTS, shutdown, singleBody } from './api/fixtures.ts'
import { startTestServer, type TestServer } from './helpers/test-server.ts'

let server: TestServer
let gate: PromiseWithResolvers<void> | null = null
let syncs = 0

beforeAll(async () => {
  server = await startTestServer({
    wrapWalSync: (sync) => async () => {
      await gate?.promise
      await sync()
      syncs++
    },
  })
})
afterAll(() => shutdown(server))

/** Sends a request over the socket; `answered` turns true when the answer arrives. */
function send(method: string, path: string, body?: unknown) {
  const state = { answered: false, status: 0 }
  const done = fetch(`${server.url}${path}`, {
    method,
    headers: body ? { 'content-type': 'application/json' } : {},
    body: body ? JSON.stringify(body) : undefined,
  }).then(async (res) => {
    await res.arrayBuffer()
    state.answered = true
    state.status = res.status
  })
  return { state, done }
}

test('create, patch and delete wait for the fsync of their commit; GET does not', async () => {
  for (const step of ['create', 'patch', 'delete'] as const) {
    const id =
      step === 'create'
        ? null
        : (await server.json('POST', EXPERIMENTS, singleBody(`durable-${step}`, 'sleep 30'))).body.result.experimentId
    gate = Promise.withResolvers<void>()
    const before = syncs
    const req =
      step === 'create'
        ? send('POST', EXPERIMENTS, singleBody('durable-create', 'true'))
        : step === 'patch'
          ? send('PATCH', `${EXPERIMENTS}/${id}`, singleBody(`durable-${step}`, 'sleep 31'))
          : send('DELETE', `${EXPERIMENTS}/${id}`)
    // The change is committed (a read sees it) while its answer waits for the held fsync.
    await waitFor(`the ${step} to be committed`, () => {
      const n = (server.db.query('SELECT count(*) AS n FROM experiment').get() as { n: number }).n
      const spec = id && (server.db.query('SELECT spec FROM experiment WHERE id = ?').get(id) as any)?.spec
      return step === 'create' ? n > 0 : step === 'patch' ? spec?.includes('sleep 31') : spec === undefined
    })
    const read = await fetch(`${server.url}${EXPERIMENTS}`)
    expect(read.status).toBe(200)
    await read.arrayBuffer()
    await Bun.sleep(100) // a window in which the held answer must not arrive
    expect([step, req.state.answered]).toEqual([step, false])
    gate.resolve()
    await req.done
    expect([step, req.state.status]).toEqual([step, 200])
    expect(syncs).toBeGreaterThan(before)
    gate = null
    if (step === 'create')
      await server.json(
        'DELETE',
        `${EXPERIMENTS}/${(await server.json('GET', EXPERIMENTS)).body.result[0].experimentId}`,
      )
  }
})

test('a created experiment’s replica starts only once its row is durable, before the answer', async () => {
  const marker = join(server.dataDir, 'durable-launch-ran')
  gate = Promise.withResolvers<void>()
  const req = send('POST', EXPERIMENTS, singleBody('durable-launch', `touch '${marker}'`))
  const jobFile = () => {
    const row = server.db.query("SELECT id FROM experiment WHERE spec LIKE '%durable-launch%'").get() as any
    return row ? join(server.dataDir, 'runs', row.id, 'job.json') : null
  }
  // The runtime has the job while the fsync of its row is held.
  await waitFor('the runtime to accept the job', () => {
    const file = jobFile()
    return file !== null && existsSync(file)
  })
  await Bun.sleep(100) // a window in which the replica must not start
  expect(existsSync(marker)).toBe(false)
  gate.resolve()
  await req.done
  expect(req.state.status).toBe(200)
  gate = null
  await waitFor('the replica to run', () => existsSync(marker))
})

test('the connection stays synchronous = NORMAL: log lines and status writes do not pay an fsync each', () => {
  expect(server.db.query('PRAGMA synchronous').get()).toEqual({ synchronous: 1 })
})
