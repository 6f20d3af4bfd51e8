/**
 * `GET /api/v1/experiment/logs/{id}?follow=true` over real sockets: NDJSON and SSE,
 * the end record, resuming from a cursor (also after a server restart), the query
 * parameters, and a client that stops reading.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { connect } from 'node:net'
import { waitFor } from '../../runtimes/testing/wait-for.ts'
import { openStream } from '../helpers/stream-client.ts'
import { startTestServer, type TestServer } from '../helpers/test-server.ts'
import { create, EXPERIMENTS, expectError, pytorchBody, shutdown, singleBody, waitForStatus } from './fixtures.ts'

const NDJSON = { accept: 'application/x-ndjson' }
const SSE = { accept: 'text/event-stream' }

let server: TestServer
beforeAll(async () => {
  server = await startTestServer({ streamStallMs: 1000 })
})
afterAll(() => shutdown(server))

const followUrl = (id: string, query = '') => `${server.url}${EXPERIMENTS}/logs/${id}?follow=true${query}`

/** A job whose one replica prints `count` numbered lines, `pause` seconds apart. */
async function counting(name: string, count: number, pause = 0.05): Promise<string> {
  const cmd = `i=1; while [ $i -le ${count} ]; do echo line-$i; i=$((i+1)); sleep ${pause}; done`
  return (await create(server, singleBody(name, cmd))).experimentId
}
const lineNames = (count: number) => Array.from({ length: count }, (_, i) => `line-${i + 1}`)

describe('NDJSON', () => {
  test('streams lines as they are stored and ends with the final status once every line is delivered', async () => {
    const id = await counting('follow-ndjson', 20)
    const s = await openStream(followUrl(id), NDJSON)
    expect(s.status).toBe(200)
    expect(s.headers.get('content-type')).toBe('application/x-ndjson; charset=utf-8')
    // The first lines arrive while the replica still prints.
    await s.until('first lines', () => s.records().length >= 3)
    expect((await server.json('GET', `${EXPERIMENTS}/${id}`)).body.result.status).not.toBe('Succeeded')
    await s.closed
    const records = s.records()
    const end = records.at(-1)
    const lines = records.slice(0, -1)
    expect(lines.map((r) => r.line)).toEqual(lineNames(20))
    for (const r of lines) {
      expect(Object.keys(r)).toEqual(['podName', 'line', 'time', 'cursor'])
      expect(r.podName).toBe(`${id}-worker-0`)
      expect(Number.isNaN(Date.parse(r.time))).toBe(false)
    }
    expect(end).toEqual({ end: true, status: 'Succeeded', cursor: lines.at(-1).cursor })
  }, 30_000)

  test('any other Accept (curl’s */*) gets NDJSON too', async () => {
    const id = (await create(server, singleBody('follow-accept', 'echo one'))).experimentId
    const s = await openStream(followUrl(id), { accept: '*/*' })
    await s.closed
    expect(s.headers.get('content-type')).toStartWith('application/x-ndjson')
    expect(s.records().map((r) => r.line ?? r.status)).toEqual(['one', 'Succeeded'])
  }, 30_000)

  test('several replicas are interleaved as stored; ?pod= follows one', async () => {
    const cmd = 'for i in 1 2 3; do echo "$RANK-$i"; sleep 0.1; done'
    const id = (await create(server, pytorchBody('follow-pods', cmd, 2))).experimentId
    const all = await openStream(followUrl(id), NDJSON)
    const one = await openStream(followUrl(id, `&pod=${id}-worker-1`), NDJSON)
    await Promise.all([all.closed, one.closed])
    const lines = all.records().slice(0, -1)
    const cursors = lines.map((r) => Number(r.cursor))
    expect(cursors).toEqual([...cursors].sort((a, b) => a - b))
    for (const rank of [0, 1, 2]) {
      const pod = rank === 0 ? `${id}-master-0` : `${id}-worker-${rank - 1}`
      expect(lines.filter((r) => r.podName === pod).map((r) => r.line)).toEqual([1, 2, 3].map((i) => `${rank}-${i}`))
    }
    expect(one.records().map((r) => r.line ?? r.end)).toEqual(['2-1', '2-2', '2-3', true])
  }, 30_000)

  test('a deleted experiment’s follow ends with status Deleted', async () => {
    const id = (await create(server, singleBody('follow-deleted', 'echo up; sleep 60'))).experimentId
    const s = await openStream(followUrl(id), NDJSON)
    await s.until('up', () => s.records().some((r) => r.line === 'up'))
    await server.json('DELETE', `${EXPERIMENTS}/${id}`)
    await s.closed
    expect(s.records().at(-1)).toMatchObject({ end: true, status: 'Deleted' })
  }, 30_000)
})

describe('SSE', () => {
  test('each line is an event whose id is its cursor; the stream ends with an `end` event', async () => {
    const id = await counting('follow-sse', 5, 0.02)
    const s = await openStream(followUrl(id), SSE)
    expect(s.headers.get('content-type')).toBe('text/event-stream; charset=utf-8')
    await s.closed
    const records = s.frames.filter((f) => f.kind === 'record')
    expect(records.slice(0, -1).map((f) => f.data.line)).toEqual(lineNames(5))
    for (const f of records.slice(0, -1)) expect(f.id).toBe(f.data.cursor)
    const end = records.at(-1)!
    expect(end.event).toBe('end')
    expect(end.data).toEqual({ end: true, status: 'Succeeded', cursor: records.at(-2)!.id })
  }, 30_000)
})

describe('resuming from a cursor', () => {
  test('Last-Event-ID (SSE) and ?cursor= (NDJSON) go on with no gap or repeat, also after a restart', async () => {
    const id = await counting('follow-resume', 30, 0.1)
    const first = await openStream(followUrl(id), SSE)
    await first.until('five lines', () => first.records().length >= 5)
    first.close()
    const seen = first.frames.filter((f) => f.kind === 'record')
    const sse = await openStream(followUrl(id), { ...SSE, 'last-event-id': seen.at(-1)!.id! })
    await sse.until('five more', () => sse.records().length >= 5)
    sse.close()
    seen.push(...sse.frames.filter((f) => f.kind === 'record'))

    // The server restarts on the same data dir; the cursor still means the same place.
    const dataDir = server.dataDir
    await server.stop()
    server = await startTestServer({ dataDir, streamStallMs: 1000 })
    const ndjson = await openStream(followUrl(id, `&cursor=${seen.at(-1)!.data.cursor}`), NDJSON)
    await ndjson.closed
    const rest = ndjson.records()
    expect(rest.at(-1)).toMatchObject({ end: true, status: 'Succeeded' })
    const lines = [...seen.map((f) => f.data.line), ...rest.slice(0, -1).map((r) => r.line)]
    expect(lines).toEqual(lineNames(30))
  }, 60_000)
})

describe('parameters', () => {
  let id = ''
  beforeAll(async () => {
    id = (await create(server, singleBody('follow-params', 'for i in 1 2 3 4 5; do echo n$i; done'))).experimentId
    await waitForStatus(server, id, ['Succeeded'])
  })

  test('tailLines starts at the last lines; timestamps prefixes each line with its time', async () => {
    const s = await openStream(followUrl(id, '&tailLines=2&timestamps=true'), NDJSON)
    await s.closed
    const lines = s.records().slice(0, -1)
    expect(lines.map((r) => r.line)).toEqual([`${lines[0].time} n4`, `${lines[1].time} n5`])
    const plain = (await server.json('GET', `${EXPERIMENTS}/logs/${id}?tailLines=1&timestamps=true`)).body.result
    expect(plain.logContent[0].podLog).toEqual([`${lines[1].time} n5`])
  }, 30_000)

  test('sinceTime and sinceSeconds keep the lines written since; in the JSON form too', async () => {
    const future = new Date(Date.now() + 3_600_000).toISOString()
    const s = await openStream(followUrl(id, `&sinceTime=${future}`), NDJSON)
    await s.closed
    expect(s.records()).toEqual([{ end: true, status: 'Succeeded', cursor: expect.any(String) }])
    const recent = await openStream(followUrl(id, '&sinceSeconds=3600'), NDJSON)
    await recent.closed
    expect(recent.records().length).toBe(6)
    const json = async (q: string) =>
      (await server.json('GET', `${EXPERIMENTS}/logs/${id}?${q}`)).body.result.logContent[0].podLog
    expect(await json(`sinceTime=${future}`)).toEqual([])
    expect(await json('sinceTime=2000-01-01T00:00:00%2B01:00')).toEqual(['n1', 'n2', 'n3', 'n4', 'n5'])
  }, 30_000)

  test('bad values are a 400 naming the parameter; an unknown pod is a 404', async () => {
    const bad = async (q: string, pattern: RegExp, headers: Record<string, string> = {}) =>
      expectError(
        await server.json('GET', `${EXPERIMENTS}/logs/${id}?${q}`, undefined, headers),
        400,
        'INVALID_QUERY',
        pattern,
      )
    await bad('follow=maybe', /follow="maybe"; expected true or false/)
    await bad('follow=true&timestamps=yes', /timestamps="yes"/)
    await bad('follow=true&sinceTime=yesterday', /sinceTime="yesterday"; expected an RFC 3339 time/)
    await bad('sinceTime=2026-13-45T99:00:00Z', /sinceTime=/)
    await bad('follow=true&sinceSeconds=-5', /sinceSeconds="-5"/)
    await bad('sinceSeconds=5&sinceTime=2026-01-01T00:00:00Z', /sinceTime or sinceSeconds, not both/)
    await bad('follow=true&cursor=abc', /cursor="abc"/)
    await bad('follow=true', /Last-Event-ID="x-1"/, { 'last-event-id': 'x-1' })
    expectError(
      await server.json('GET', `${EXPERIMENTS}/logs/${id}?follow=true&pod=nope`),
      404,
      'POD_NOT_FOUND',
      /has no replica nope/,
    )
    expectError(
      await server.json('GET', `${EXPERIMENTS}/logs/experiment-1111111111111-0001?follow=true`),
      404,
      'EXPERIMENT_NOT_FOUND',
      'Not found experiment.',
    )
  }, 30_000)
})

describe('a client that stops reading', () => {
  test('is cut off after the stall timeout instead of the server buffering the log for it', async () => {
    const id = (await create(server, singleBody('follow-slow', 'seq 1 200000'))).experimentId
    await waitForStatus(server, id, ['Succeeded'], 30_000)
    // A real socket that sends the request, then reads nothing.
    const socket = connect(Number(new URL(server.url).port), '127.0.0.1')
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()))
    socket.write(
      `GET ${EXPERIMENTS}/logs/${id}?follow=true HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: application/x-ndjson\r\n\r\n`,
    )
    socket.pause()
    let received = ''
    let ended = false
    socket.on('data', (d) => {
      received += d.toString('latin1')
    })
    socket.on('close', () => {
      ended = true
    })
    // A window in which the client reads nothing: longer than the 1 s stall timeout.
    await Bun.sleep(2500)
    socket.resume()
    await waitFor('the server to close the connection', () => ended, 10_000)
    // 200,000 lines are ~17 MB of NDJSON: the client got what the kernel buffered, no end record.
    expect(received.length).toBeLessThan(10_000_000)
    expect(received).not.toContain('"end":true')
    // The server still serves.
    expect((await server.json('GET', `${EXPERIMENTS}/ping`)).http).toBe(200)
  }, 60_000)
})
