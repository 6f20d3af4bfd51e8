/**
 * `GET /api/v1/experiment/events` over real sockets: SSE and NDJSON, the experimentId
 * filter, resuming by Last-Event-ID and ?after= across a server restart, heartbeats,
 * pruning, and the transitions of one experiment and its replicas in order.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { waitFor } from '../../runtimes/testing/wait-for.ts'
import { openStream } from '../helpers/stream-client.ts'
import { startTestServer, type TestServer } from '../helpers/test-server.ts'
import { create, EXPERIMENTS, expectError, shutdown, singleBody, waitForStatus } from './fixtures.ts'

const EVENTS = `${EXPERIMENTS}/events`
const NDJSON = { accept: 'application/x-ndjson' }
const EVENT_KEYS = ['seq', 'time', 'experimentId', 'replica', 'status', 'reason', 'message']

let server: TestServer
beforeAll(async () => {
  server = await startTestServer({ heartbeatMs: 200 })
})
afterAll(() => shutdown(server))

const url = (query = '') => `${server.url}${EVENTS}${query}`
const experimentSteps = (events: any[]) => events.filter((e) => e.replica === null).map((e) => e.status)
const ended = (id: string) => (events: any[]) =>
  events.some(
    (e) => e.experimentId === id && e.replica === null && ['Succeeded', 'Failed', 'Deleted'].includes(e.status),
  )

describe('one experiment', () => {
  test('a subscriber sees Accepted → Created → Running → Succeeded, its replica’s steps in order', async () => {
    const all = await openStream(url(), {})
    const id = (await create(server, singleBody('events-one', 'echo hi'))).experimentId
    const mine = await openStream(url(`?experimentId=${id}`), NDJSON)
    await mine.until('Succeeded', () => ended(id)(mine.records()))
    const events = mine.records()
    for (const e of events) expect(Object.keys(e)).toEqual(EVENT_KEYS)
    expect(events.every((e) => e.experimentId === id)).toBe(true)
    expect(experimentSteps(events)).toEqual(['Accepted', 'Created', 'Running', 'Succeeded'])
    const pod = `${id}-worker-0`
    const replica = events.filter((e) => e.replica === pod)
    expect(replica.map((e) => e.status)).toEqual(['Pending', 'Running', 'Succeeded'])
    expect(replica.at(-1)).toMatchObject({ reason: 'Completed', message: 'exit code 0' })
    // The replica succeeds before the experiment does; sequences only grow.
    const at = (pred: (e: any) => boolean) => events.findIndex(pred)
    expect(at((e) => e.replica === pod && e.status === 'Succeeded')).toBeLessThan(
      at((e) => e.replica === null && e.status === 'Succeeded'),
    )
    expect(events.map((e) => e.seq)).toEqual([...events.map((e) => e.seq)].sort((a, b) => a - b))
    // SSE (the default): the same events, each with its seq as the event id.
    await all.until('Succeeded over SSE', () => ended(id)(all.records()))
    expect(all.headers.get('content-type')).toBe('text/event-stream; charset=utf-8')
    const sse = all.frames.filter((f) => f.kind === 'record' && f.data.experimentId === id)
    expect(sse.map((f) => f.data)).toEqual(events)
    for (const f of sse) expect(f.id).toBe(String(f.data.seq))
    all.close()
    mine.close()
  }, 30_000)

  test('a crash-looping replica says why and with which exit code; deletion is an event', async () => {
    const id = (await create(server, singleBody('events-crash', 'exit 3'))).experimentId
    const s = await openStream(url(`?experimentId=${id}`), NDJSON)
    await s.until('a crash loop', () => s.records().some((e) => e.reason === 'CrashLoopBackOff'))
    const loop = s.records().find((e) => e.reason === 'CrashLoopBackOff')
    expect(loop).toMatchObject({ replica: `${id}-worker-0`, status: 'Running' })
    expect(loop.message).toContain('last exit code 3')
    await server.json('DELETE', `${EXPERIMENTS}/${id}`)
    await s.until('Deleted', () => ended(id)(s.records()))
    expect(s.records().at(-1)).toMatchObject({ replica: null, status: 'Deleted', reason: null })
    s.close()
  }, 30_000)
})

describe('resuming', () => {
  test('Last-Event-ID and ?after= continue exactly after the last event seen, also after a restart', async () => {
    const id = (await create(server, singleBody('events-resume', 'echo hi'))).experimentId
    await waitForStatus(server, id, ['Succeeded'])
    const full = await openStream(url(`?experimentId=${id}`), NDJSON)
    await full.until('Succeeded', () => ended(id)(full.records()))
    full.close()
    const events = full.records()
    expect(events.length).toBeGreaterThan(4)
    const cut = events[2].seq

    const dataDir = server.dataDir
    await server.stop()
    server = await startTestServer({ dataDir, heartbeatMs: 200 })
    const sse = await openStream(url(`?experimentId=${id}`), { 'last-event-id': String(cut) })
    const after = await openStream(url(`?experimentId=${id}&after=${cut}`), NDJSON)
    for (const s of [sse, after]) {
      await s.until('the rest', () => ended(id)(s.records()))
      expect(s.records()).toEqual(events.slice(3))
      s.close()
    }
  }, 30_000)

  test('bad values are a 400 naming them', async () => {
    expectError(await server.json('GET', `${EVENTS}?after=x`), 400, 'INVALID_QUERY', /after="x"/)
    expectError(await server.json('GET', `${EVENTS}?experimentId=`), 400, 'INVALID_QUERY', /experimentId/)
    expectError(
      await server.json('GET', EVENTS, undefined, { 'last-event-id': 'abc' }),
      400,
      'INVALID_QUERY',
      /Last-Event-ID="abc"/,
    )
  })
})

describe('heartbeats and retention', () => {
  test('an idle stream gets a heartbeat every interval: `: ping` over SSE, an empty line over NDJSON', async () => {
    const quiet = '?experimentId=experiment-1111111111111-0001'
    const sse = await openStream(url(quiet), {})
    const ndjson = await openStream(url(quiet), NDJSON)
    for (const s of [sse, ndjson]) {
      await s.until('two heartbeats', () => s.frames.filter((f) => f.kind === 'heartbeat').length >= 2, 5000)
      expect(s.records()).toEqual([])
      s.close()
    }
  })

  test('events older than the retention are pruned', async () => {
    const short = await startTestServer({ eventRetentionMs: 2000, heartbeatMs: 100 })
    try {
      const id = (await create(short, singleBody('events-pruned', 'echo hi'))).experimentId
      const first = await openStream(`${short.url}${EVENTS}?experimentId=${id}`, NDJSON)
      await first.until('Succeeded', () => ended(id)(first.records()))
      first.close()
      // A new subscriber from the start finds nothing before its first heartbeat once the pruner has run.
      const seenBeforeHeartbeat = async () => {
        const later = await openStream(`${short.url}${EVENTS}?experimentId=${id}`, NDJSON)
        await later.until('a heartbeat', () => later.frames.some((f) => f.kind === 'heartbeat'), 5000)
        later.close()
        return later.frames.findIndex((f) => f.kind === 'heartbeat')
      }
      expect(await seenBeforeHeartbeat()).toBeGreaterThan(0)
      await waitFor('the events to be pruned', async () => (await seenBeforeHeartbeat()) === 0, 10_000, 100)
    } finally {
      await shutdown(short)
    }
  }, 30_000)
})

describe('a server whose streams are all open', () => {
  test('answers one more with a 429 naming the limit, and takes it again once one closes', async () => {
    const small = await startTestServer({ maxStreams: 1 })
    try {
      const first = await openStream(`${small.url}${EXPERIMENTS}/events`, { accept: 'application/x-ndjson' })
      expect(first.status).toBe(200)
      const refused = await fetch(`${small.url}${EXPERIMENTS}/events`, { headers: { accept: 'application/x-ndjson' } })
      expect(refused.status).toBe(429)
      const body = (await refused.json()) as any
      expect(body.attributes).toMatchObject({ reason: 'TOO_MANY_STREAMS', limit: 1 })
      expect(body.message).toContain('at most 1 log follows and event streams')
      first.close()
      await waitFor('the slot to be free again', async () => {
        const again = await fetch(`${small.url}${EXPERIMENTS}/events?after=0`, {
          headers: { accept: 'application/x-ndjson' },
        })
        const ok = again.status === 200
        await again.body?.cancel()
        return ok
      })
    } finally {
      await small.stop()
    }
  })
})
