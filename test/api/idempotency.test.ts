/**
 * `Idempotency-Key` on `POST /api/v1/experiment`, on a real server and SQLite file: a retry
 * answers the same experiment and launches nothing, also across a restart and when the
 * requests arrive at once; a different body with the key is a 422; keys expire after 24 hours.
 */
import { afterEach, describe, expect, test } from 'bun:test'
import { waitFor } from '../../runtimes/testing/wait-for.ts'
import { startTestServer, type TestServer } from '../helpers/test-server.ts'
import { EXPERIMENTS, expectError, expectOk, shutdown, singleBody } from './fixtures.ts'

let server: TestServer | undefined
afterEach(async () => {
  await shutdown(server)
  server = undefined
})

const post = (s: TestServer, body: unknown, key?: string) =>
  s.request(EXPERIMENTS, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(key === undefined ? {} : { 'idempotency-key': key }) },
    body: JSON.stringify(body),
  })
const envelope = async (res: Response) => ({ http: res.status, body: (await res.json()) as any })
const listed = async (s: TestServer) => (await s.json('GET', EXPERIMENTS)).body.result as any[]
/** How many times the replica ran: each run prints one line. */
const runs = async (s: TestServer, id: string) =>
  ((await s.json('GET', `${EXPERIMENTS}/logs/${id}`)).body.result.logContent as any[]).flatMap((p) => p.podLog)

describe('the same key and body', () => {
  test('answer the experiment the first request made, and launch nothing more', async () => {
    server = await startTestServer()
    const body = singleBody('idem', 'echo ran')
    const first = await post(server, body, 'key-1')
    expect(first.headers.get('idempotent-replayed')).toBeNull()
    const made = expectOk(await envelope(first))
    await waitFor('the run', async () => (await runs(server!, made.experimentId)).length === 1, 10_000)
    const again = await post(server, body, 'key-1')
    expect(again.headers.get('idempotent-replayed')).toBe('true')
    const replayed = expectOk(await envelope(again))
    expect(replayed.experimentId).toBe(made.experimentId)
    expect(replayed.uid).toBe(made.uid)
    expect((await listed(server)).map((e) => e.experimentId)).toEqual([made.experimentId])
    await Bun.sleep(300) // a window in which nothing may happen: no second run is launched
    expect(await runs(server, made.experimentId)).toEqual(['ran'])
  })

  test('the same document with its keys in another order is the same body', async () => {
    server = await startTestServer()
    const body = singleBody('idem-order', 'echo ran')
    const made = expectOk(await envelope(await post(server, body, 'k')))
    const reordered = { spec: body.spec, environment: body.environment, meta: body.meta }
    expect(expectOk(await envelope(await post(server, reordered, 'k'))).experimentId).toBe(made.experimentId)
  })

  test('arriving at once make one experiment', async () => {
    server = await startTestServer()
    const body = singleBody('idem-race', 'echo ran')
    const answers = await Promise.all(Array.from({ length: 8 }, () => post(server!, body, 'race')))
    const ids = await Promise.all(answers.map(async (r) => expectOk(await envelope(r)).experimentId))
    expect(new Set(ids).size).toBe(1)
    expect(answers.filter((r) => r.headers.get('idempotent-replayed') === 'true')).toHaveLength(7)
    expect(await listed(server)).toHaveLength(1)
  })

  test('answer the same experiment after a server restart', async () => {
    server = await startTestServer()
    const dataDir = server.dataDir
    const body = singleBody('idem-restart', 'echo ran')
    const made = expectOk(await envelope(await post(server, body, 'survives')))
    await server.stop()
    server = await startTestServer({ dataDir })
    const again = await post(server, body, 'survives')
    expect(again.headers.get('idempotent-replayed')).toBe('true')
    expect(expectOk(await envelope(again)).experimentId).toBe(made.experimentId)
    expect(await listed(server)).toHaveLength(1)
  })
})

test('the same key with a different body is a 422 naming the key, and makes nothing', async () => {
  server = await startTestServer()
  const made = expectOk(await envelope(await post(server, singleBody('idem-a', 'echo a'), 'shared')))
  const res = await envelope(await post(server, singleBody('idem-b', 'echo b'), 'shared'))
  expectError(
    res,
    422,
    'IDEMPOTENCY_KEY_REUSED',
    new RegExp(
      `^Idempotency-Key "shared" was used at .+ with a different request body \\(it made ${made.experimentId}\\)`,
    ),
  )
  expect(res.body.attributes.experimentId).toBe(made.experimentId)
  expect(await listed(server)).toHaveLength(1)
})

test('keys are per request: another key, or none, makes a new experiment', async () => {
  server = await startTestServer()
  const body = singleBody('idem-keys', 'echo ran')
  const a = expectOk(await envelope(await post(server, body, 'a'))).experimentId
  const b = expectOk(await envelope(await post(server, body, 'b'))).experimentId
  const none = expectOk(await envelope(await post(server, body))).experimentId
  expect(new Set([a, b, none]).size).toBe(3)
})

test('a key older than 24 hours no longer answers, and is pruned', async () => {
  server = await startTestServer()
  const body = singleBody('idem-old', 'echo ran')
  const made = expectOk(await envelope(await post(server, body, 'old'))).experimentId
  const dayAgo = new Date(Date.now() - 24 * 3_600_000 - 1000).toISOString()
  server.db.run('UPDATE idempotency_key SET created_time = ?', [dayAgo])
  // Another body would be a 422 for a live key: an expired one is claimed afresh.
  const fresh = expectOk(await envelope(await post(server, singleBody('idem-new', 'echo new'), 'old'))).experimentId
  expect(fresh).not.toBe(made)
  // At start-up the server prunes what expired.
  server.db.run("INSERT INTO idempotency_key VALUES ('experiment', 'stale', 'x', ?, ?)", [made, dayAgo])
  const dataDir = server.dataDir
  await server.stop()
  server = await startTestServer({ dataDir })
  const left = server.db.query('SELECT key FROM idempotency_key ORDER BY key').all() as Array<{ key: string }>
  expect(left.map((r) => r.key)).toEqual(['old'])
})

test('a key goes with its experiment when it is deleted', async () => {
  server = await startTestServer()
  const body = singleBody('idem-del', 'echo ran')
  const made = expectOk(await envelope(await post(server, body, 'gone'))).experimentId
  expectOk(await server.json('DELETE', `${EXPERIMENTS}/${made}`))
  const again = await post(server, body, 'gone')
  expect(again.headers.get('idempotent-replayed')).toBeNull()
  expect(expectOk(await envelope(again)).experimentId).not.toBe(made)
})

test('an empty or over-long key is a 400 naming the header', async () => {
  server = await startTestServer()
  const body = singleBody('idem-bad', 'echo ran')
  for (const [key, what] of [
    ['', 'an empty value'],
    ['k'.repeat(256), '256 characters'],
  ] as const) {
    expectError(
      await envelope(await post(server, body, key)),
      400,
      'INVALID_HEADER',
      `Invalid Idempotency-Key header: expected 1 to 255 printable ASCII characters (a UUID is typical), got ${what}`,
    )
  }
  expect(await listed(server)).toEqual([])
})
