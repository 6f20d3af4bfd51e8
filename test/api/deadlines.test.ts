/**
 * `meta.activeDeadlineSeconds` on a real server (process runtime): validated, echoed after the
 * document's fields, and enforced from the job's start, across a server restart too.
 */
import { afterEach, expect, test } from 'bun:test'
import { waitFor } from '../../runtimes/testing/wait-for.ts'
import { openStream } from '../helpers/stream-client.ts'
import { startTestServer, type TestServer } from '../helpers/test-server.ts'
import {
  alive,
  create,
  EXPERIMENTS,
  expectError,
  getExperiment,
  META_KEYS,
  replicaPid,
  shutdown,
  singleBody,
  waitForStatus,
  withValue,
} from './fixtures.ts'

let server: TestServer | undefined
afterEach(async () => {
  await shutdown(server)
  server = undefined
})

const DEADLINE_MESSAGE =
  'Failed: DeadlineExceeded: the job ran longer than its deadline of 1 s (activeDeadlineSeconds) ' +
  'and its replicas were stopped'

test('is a positive whole number of seconds; anything else is a 400 naming the field', async () => {
  server = await startTestServer()
  const body = singleBody('deadline-bad', 'echo hi')
  for (const value of [0, -5, 1.5, '60', true, 2 ** 31]) {
    const res = await server.json('POST', EXPERIMENTS, withValue(body, 'meta.activeDeadlineSeconds', value))
    expectError(res, 400, 'INVALID_SPEC', /^Invalid experiment spec: meta\.activeDeadlineSeconds: expected /)
  }
  expect((await server.json('GET', EXPERIMENTS)).body.result).toEqual([])
})

test('is shown after the document’s meta fields when set, and not at all when not', async () => {
  server = await startTestServer()
  const plain = await create(server, singleBody('no-deadline', 'echo hi'))
  expect(Object.keys(plain.spec.meta)).toEqual(META_KEYS)
  const limited = await create(server, withValue(singleBody('deadline', 'echo hi'), 'meta.activeDeadlineSeconds', 3600))
  expect(Object.keys(limited.spec.meta)).toEqual([...META_KEYS, 'activeDeadlineSeconds'])
  expect((await getExperiment(server, limited.experimentId)).spec.meta.activeDeadlineSeconds).toBe(3600)
})

test('fails a job that runs past it, stops its replica and says so', async () => {
  server = await startTestServer()
  const body = withValue(singleBody('deadline-run', 'echo up; sleep 120'), 'meta.activeDeadlineSeconds', 1)
  const { experimentId: id } = await create(server, body)
  const { result } = await waitForStatus(server, id, ['Failed', 'Succeeded'], 10_000)
  expect(result.status).toBe('Failed')
  expect(result.statusMessage).toBe(DEADLINE_MESSAGE)
  expect(Date.parse(result.finishedTime) - Date.parse(result.createdTime)).toBeGreaterThanOrEqual(1000)
  const pid = replicaPid(server, id, `${id}-worker-0`)
  if (pid !== null) await waitFor('the replica to be stopped', () => !alive(pid), 5000)
  const events = await openStream(`${server.url}${EXPERIMENTS}/events?experimentId=${id}`, {
    accept: 'application/x-ndjson',
  })
  try {
    await events.until('the failure', (frames) => frames.some((f) => f.data?.status === 'Failed' && !f.data.replica))
    const failed = events.records().find((r: any) => r.status === 'Failed' && r.replica === null)
    expect(failed).toMatchObject({ reason: 'DeadlineExceeded', message: DEADLINE_MESSAGE })
  } finally {
    events.close()
  }
})

test('is kept across a server restart, counted from the job’s start', async () => {
  server = await startTestServer()
  const dataDir = server.dataDir
  const body = withValue(singleBody('deadline-restart', 'echo up; sleep 120'), 'meta.activeDeadlineSeconds', 2)
  const { experimentId: id } = await create(server, body)
  await waitForStatus(server, id, ['Running'])
  const pid = replicaPid(server, id, `${id}-worker-0`)!
  await server.stop() // the replica runs on without a server
  expect(alive(pid)).toBe(true)
  server = await startTestServer({ dataDir })
  const { result } = await waitForStatus(server, id, ['Failed', 'Succeeded'], 10_000)
  expect(result.status).toBe('Failed')
  expect(result.statusMessage).toContain('DeadlineExceeded: the job ran longer than its deadline of 2 s')
  const ranMs = Date.parse(result.finishedTime) - Date.parse(result.createdTime)
  expect(ranMs).toBeGreaterThanOrEqual(2000)
  expect(ranMs).toBeLessThan(4000) // from the job's start, not from the restart
  await waitFor('the replica to be stopped', () => !alive(pid), 5000)
})
