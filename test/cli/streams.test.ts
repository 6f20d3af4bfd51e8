/**
 * The compiled client on the NDJSON wire formats the server is gaining (the log
 * stream with `cursor` resume, the event stream with `after`), served here by a
 * scripted raw HTTP server that can drop a connection mid-stream, which a real
 * server cannot be made to do on cue. The polling fallback against the real server
 * is covered in experiments.test.ts.
 */
import { afterEach, beforeAll, expect, test } from 'bun:test'
import { cliBinary, runCli } from '../helpers/cli-binary.ts'
import { envelope, type RawHttpServer, type RawRequest, startRawHttpServer } from '../helpers/raw-http-server.ts'

const ID = 'experiment-1700000000000-0001'
const W0 = `${ID}-worker-0`
const W1 = `${ID}-worker-1`

function experiment(status: string) {
  const done = status === 'Succeeded' || status === 'Failed'
  return {
    experimentId: ID,
    uid: 'u',
    status,
    acceptedTime: '2026-01-01T00:00:00.000Z',
    createdTime: '2026-01-01T00:00:01.000Z',
    runningTime: '2026-01-01T00:00:02.000Z',
    finishedTime: done ? '2026-01-01T00:03:14.000Z' : null,
    spec: { meta: { name: 'streamed', framework: 'TensorFlow' }, spec: { Worker: { replicas: 2 } } },
    statusMessage: null,
  }
}

let server: RawHttpServer | undefined
beforeAll(() => cliBinary(), 120_000)
afterEach(() => server?.stop())

const of = (path: string) => server!.requests.filter((r) => r.path === path)
const query = (r: RawRequest) => Object.fromEntries(r.query)

test('logs -f: streamed, resumed from the last cursor after a drop (even mid-line), no gap or repeat', async () => {
  const t = (s: number) => `2026-01-01T00:00:0${s}.000Z`
  let connection = 0
  server = startRawHttpServer((req, res) => {
    if (req.path === `/api/v1/experiment/${ID}`) return res.json(200, envelope(experiment('Running')))
    const s = res.ndjson()
    connection++
    if (connection === 1) {
      s.send({ podName: W0, line: 'one', time: t(1), cursor: 'c1' })
      s.send({ podName: W1, line: 'two', time: t(2), cursor: 'c2' })
      s.raw(`{"podName":"${W0}","li`) // the connection drops in the middle of a line
    } else if (connection === 2) {
      s.send({ podName: W0, line: 'three', time: t(3), cursor: 'c3' }) // then a clean close without the end object
    } else {
      s.send({ podName: W1, line: 'four', time: t(4), cursor: 'c4' })
      s.send({ end: true, status: 'Succeeded', cursor: 'c4' })
    }
    s.close()
  })
  const run = await runCli(['logs', ID, '-f', '--tail', '5', '--timestamps', '--server', server.url], {
    env: { PERISCOPE_TOKEN: 'secret-token' },
  })
  expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: '' })
  expect(run.stdout).toBe(
    [`[${W0}] ${t(1)} one`, `[${W1}] ${t(2)} two`, `[${W0}] ${t(3)} three`, `[${W1}] ${t(4)} four`, ''].join('\n'),
  )
  const logs = of(`/api/v1/experiment/logs/${ID}`)
  expect(logs.map(query)).toEqual([
    { follow: 'true', tailLines: '5', timestamps: 'true' },
    { follow: 'true', cursor: 'c2', timestamps: 'true' },
    { follow: 'true', cursor: 'c3', timestamps: 'true' },
  ])
  for (const r of logs) {
    expect(r.headers.get('accept')).toStartWith('application/x-ndjson')
    expect(r.headers.get('authorization')).toBe('Bearer secret-token')
  }
}, 30_000)

test('logs without -f: the stream to its end, --since as sinceSeconds, --pod without a prefix', async () => {
  server = startRawHttpServer((req, res) => {
    if (req.path === `/api/v1/experiment/${ID}`) return res.json(200, envelope(experiment('Running')))
    const s = res.ndjson()
    s.send({ podName: W1, line: 'recent', time: '2026-01-01T00:00:09.000Z', cursor: 'c9' })
    s.close()
  })
  const run = await runCli(['logs', ID, '--since', '10m', '--pod', W1, '--server', server.url])
  expect(run).toEqual({ code: 0, stdout: 'recent\n', stderr: '' })
  expect(of(`/api/v1/experiment/logs/${ID}`).map(query)).toEqual([{ pod: W1, sinceSeconds: '600' }])
}, 30_000)

test('--since and --timestamps against a server that only answers the JSON envelope: a clear error', async () => {
  server = startRawHttpServer((req, res) => {
    if (req.path === `/api/v1/experiment/${ID}`) return res.json(200, envelope(experiment('Running')))
    res.json(200, envelope({ experimentId: ID, logContent: [{ podName: W0, podLog: ['x'] }] }))
  })
  const run = await runCli(['logs', ID, '--timestamps', '--server', server.url])
  expect(run.code).toBe(1)
  expect(run.stderr).toBe(
    `periscope: ${server.url} does not stream logs (application/x-ndjson), so its lines ` +
      'carry no times: --since, --since-time and --timestamps need a server that does\n',
  )
}, 30_000)

test('submit --follow: the id, the streamed lines, then exit 1 when the stream ends Failed', async () => {
  let status = 'Accepted'
  server = startRawHttpServer((req, res) => {
    if (req.method === 'POST' && req.path === '/api/v1/experiment') {
      expect(JSON.parse(req.body).meta.name).toBe('streamed')
      return res.json(200, envelope(experiment('Accepted')))
    }
    if (req.path === `/api/v1/experiment/${ID}`) return res.json(200, envelope(experiment(status)))
    const s = res.ndjson()
    s.send({ podName: W0, line: 'bye', time: '2026-01-01T00:00:03.000Z', cursor: 'c1' })
    status = 'Failed'
    s.send({ end: true, status: 'Failed', cursor: 'c1' })
    s.close()
  })
  const spec = JSON.stringify({ meta: { name: 'streamed', framework: 'TensorFlow', cmd: 'x' }, spec: {} })
  const run = await runCli(['submit', '-f', '-', '--follow', '--server', server.url], { stdin: spec })
  expect(run.code).toBe(1)
  expect(run.stdout).toBe(`${ID}\n[${W0}] bye\n`)
  expect(run.stderr).toBe(`${ID} Failed 3m12s\n`)
}, 30_000)

test('wait: listens on the event stream (no polling), resumes with after=<seq> after a drop', async () => {
  let status = 'Running'
  let connection = 0
  server = startRawHttpServer((req, res) => {
    if (req.path === `/api/v1/experiment/${ID}`) return res.json(200, envelope(experiment(status)))
    if (req.path !== '/api/v1/experiment/events') return res.json(404, { message: 'no', result: null })
    const s = res.ndjson()
    if (++connection === 1) {
      s.send({ seq: 7, time: 't', experimentId: ID, replica: W0, status: 'Running', reason: null, message: null })
    } else {
      status = 'Succeeded'
      s.send({ seq: 8, time: 't', experimentId: ID, replica: null, status: 'Succeeded', reason: null, message: null })
    }
    s.close()
  })
  const run = await runCli(['wait', ID, '--server', server.url])
  // Piped: the status on the way as a line (its duration runs to now), the final one on stdout.
  expect(run).toEqual({
    code: 0,
    stdout: `${ID} Succeeded 3m12s\n`,
    stderr: expect.stringMatching(new RegExp(`^${ID} Running \\S+\\n$`)),
  })
  const events = of('/api/v1/experiment/events')
  expect(events.map(query)).toEqual([{ experimentId: ID }, { experimentId: ID, after: '7' }])
  for (const r of events) expect(r.headers.get('accept')).toBe('application/x-ndjson')
  // One look before listening, one per event, one after the reconnect: no 500 ms polling.
  expect(of(`/api/v1/experiment/${ID}`).length).toBeLessThanOrEqual(4)
}, 30_000)
