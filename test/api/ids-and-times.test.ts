/**
 * Ids, uids and times: `experiment-<server start ms>-<counter>` never reused —
 * not by concurrent creates, not after a restart, not by two servers on one
 * data dir — UUID uids and UTC ISO-8601 times with milliseconds.
 */
import { afterAll, beforeAll, expect, test } from 'bun:test'
import { tempDir } from '../helpers/temp-dir.ts'
import { startTestServer, type TestServer } from '../helpers/test-server.ts'
import {
  create,
  EXPERIMENT_ID,
  EXPERIMENTS,
  expectOk,
  shutdown,
  singleBody,
  UTC_MILLIS,
  UUID,
  waitForStatus,
} from './fixtures.ts'

let server: TestServer
let startedAfter = 0
let startedBefore = 0

beforeAll(async () => {
  startedAfter = Date.now()
  server = await startTestServer()
  startedBefore = Date.now()
})
afterAll(() => shutdown(server))

const quick = (name: string) => singleBody(name, 'true')

test('an id is experiment-<13-digit server start ms>-<counter of 4+ digits>, the same start for every id', async () => {
  const ids = [(await create(server, quick('id-a'))).experimentId, (await create(server, quick('id-b'))).experimentId]
  const parts = ids.map((id) => EXPERIMENT_ID.exec(id))
  for (const m of parts) {
    expect(m).not.toBeNull()
    const start = Number(m![1])
    expect(start).toBeGreaterThanOrEqual(startedAfter)
    expect(start).toBeLessThanOrEqual(startedBefore)
  }
  expect(parts[0]![1]).toBe(parts[1]![1])
  expect(Number(parts[1]![2])).toBeGreaterThan(Number(parts[0]![2]))
}, 20_000)

test('uids are distinct UUIDs and times are UTC ISO-8601 with milliseconds', async () => {
  const a = await create(server, quick('uid-a'))
  const b = await create(server, quick('uid-b'))
  expect(a.uid).toMatch(UUID)
  expect(b.uid).toMatch(UUID)
  expect(a.uid).not.toBe(b.uid)
  const done = (await waitForStatus(server, a.experimentId, ['Succeeded'])).result
  for (const key of ['acceptedTime', 'createdTime', 'runningTime', 'finishedTime'])
    expect(done[key]).toMatch(UTC_MILLIS)
  expect(Math.abs(Date.parse(done.acceptedTime) - Date.now())).toBeLessThan(60_000)
}, 20_000)

test('50 concurrent creates get 50 distinct ids and all are listed', async () => {
  const results = await Promise.all(
    Array.from({ length: 50 }, (_, i) => server.json('POST', EXPERIMENTS, quick(`burst-${i}`))),
  )
  const ids = results.map((r) => expectOk(r).experimentId as string)
  expect(new Set(ids).size).toBe(50)
  for (const id of ids) expect(id).toMatch(EXPERIMENT_ID)
  const listed = new Set((expectOk(await server.json('GET', EXPERIMENTS)) as any[]).map((e) => e.experimentId))
  for (const id of ids) expect(listed.has(id)).toBe(true)
}, 20_000)

test('a server restarted on the same data dir never reuses an id and still lists the old experiments', async () => {
  const dataDir = tempDir()
  const first = await startTestServer({ dataDir })
  const old = [await create(first, quick('before-1')), await create(first, quick('before-2'))].map(
    (e) => e.experimentId,
  )
  await first.stop()
  const second = await startTestServer({ dataDir })
  try {
    const fresh = [await create(second, quick('after-1')), await create(second, quick('after-2'))].map(
      (e) => e.experimentId,
    )
    for (const id of fresh) expect(old).not.toContain(id)
    const listed = (expectOk(await second.json('GET', EXPERIMENTS)) as any[]).map((e) => e.experimentId)
    expect(listed).toEqual([...old, ...fresh])
  } finally {
    await shutdown(second)
  }
}, 20_000)

test('two servers started on one data dir never hand out the same id', async () => {
  const dataDir = tempDir()
  const [a, b] = await Promise.all([startTestServer({ dataDir }), startTestServer({ dataDir })])
  try {
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => (i % 2 ? a : b).json('POST', EXPERIMENTS, quick(`pair-${i}`))),
    )
    const ids = results.map((r) => expectOk(r).experimentId as string)
    expect(new Set(ids).size).toBe(20)
  } finally {
    await shutdown(a)
    await b.stop()
  }
}, 20_000)
