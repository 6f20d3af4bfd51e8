/**
 * Logs: `GET /api/v1/experiment/logs` (pod names, empty podLog, ?status=) and
 * `GET /api/v1/experiment/logs/{id}` (every replica's lines), kept after the
 * replicas exit and after a server restart.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { startTestServer, type TestServer } from '../helpers/test-server.ts'
import {
  create,
  EXPERIMENTS,
  expectError,
  expectOk,
  pytorchBody,
  shutdown,
  singleBody,
  tfBody,
  waitForLogs,
  waitForStatus,
} from './fixtures.ts'

let server: TestServer
let tfId = ''
let expectedTf: Array<{ podName: string; podLog: string[] }> = []

const TASK_LINE = `echo "$TF_CONFIG" | grep -o '"task":{[^}]*}'; printf 'two\\nthree\\n'; echo to-stderr >&2`

beforeAll(async () => {
  server = await startTestServer()
  // Workers outlive the ps: once worker-0 succeeds the job is done and what still runs is stopped.
  tfId = (
    await create(
      server,
      tfBody('logs-tf', { Ps: { replicas: 1 }, Worker: { replicas: 2, cmd: `${TASK_LINE}; sleep 1` } }, TASK_LINE),
    )
  ).experimentId
  const lines = (type: string, index: number) => [
    `"task":{"type":"${type}","index":${index}}`,
    'two',
    'three',
    'to-stderr',
  ]
  expectedTf = [
    { podName: `${tfId}-ps-0`, podLog: lines('ps', 0) },
    { podName: `${tfId}-worker-0`, podLog: lines('worker', 0) },
    { podName: `${tfId}-worker-1`, podLog: lines('worker', 1) },
  ]
})
afterAll(() => shutdown(server))

async function logsOf(id: string): Promise<any> {
  return expectOk(await server.json('GET', `${EXPERIMENTS}/logs/${id}`))
}

describe('GET /api/v1/experiment/logs/{id}', () => {
  test('returns each replica’s lines (stdout, stderr), podName first, pods named <id>-<type>-<index>', async () => {
    await waitForLogs(server, tfId, 4)
    const result = await logsOf(tfId)
    expect(Object.keys(result)).toEqual(['experimentId', 'logContent'])
    expect(result.experimentId).toBe(tfId)
    for (const pod of result.logContent) expect(Object.keys(pod)).toEqual(['podName', 'podLog'])
    expect(result.logContent).toEqual(expectedTf)
  }, 20_000)

  test('the lines are still there after every replica has exited', async () => {
    expect((await waitForStatus(server, tfId, ['Succeeded', 'Failed'])).result.status).toBe('Succeeded')
    // A window in which nothing may happen: the stored lines stay after the replicas are gone.
    await Bun.sleep(100)
    expect((await logsOf(tfId)).logContent).toEqual(expectedTf)
  }, 20_000)

  test('a replica that has printed nothing yet is listed with an empty podLog', async () => {
    const quiet = await create(server, singleBody('quiet', 'sleep 30'))
    await waitForStatus(server, quiet.experimentId, ['Running'])
    expect((await logsOf(quiet.experimentId)).logContent).toEqual([
      { podName: `${quiet.experimentId}-worker-0`, podLog: [] },
    ])
    await server.json('DELETE', `${EXPERIMENTS}/${quiet.experimentId}`)
  }, 20_000)

  test('lines keep quotes, backslashes, tabs, unicode, empty lines and an unterminated last line', async () => {
    const cmd =
      `printf 'x\\n\\ny\\n'; echo 'say "hi" \\\\ back'; printf '\\tindented\\n'; ` +
      `echo 'ünïcødé €'; printf 'no-newline'`
    const made = await create(server, { ...pytorchBody('odd-lines', cmd), spec: { Master: { replicas: 1 } } })
    await waitForStatus(server, made.experimentId, ['Succeeded'])
    const [pod] = await waitForLogs(server, made.experimentId, 7)
    expect(pod.podLog).toEqual(['x', '', 'y', 'say "hi" \\ back', '\tindented', 'ünïcødé €', 'no-newline'])
  }, 20_000)

  test('?pod= picks one replica and ?tailLines= keeps its last lines', async () => {
    await waitForStatus(server, tfId, ['Succeeded', 'Failed'])
    const one = await logsOf(`${tfId}?pod=${tfId}-worker-1&tailLines=2`)
    expect(one.logContent).toEqual([{ podName: `${tfId}-worker-1`, podLog: ['three', 'to-stderr'] }])
    const all = await logsOf(`${tfId}?tailLines=1`)
    expect(all.logContent.map((p: any) => p.podLog)).toEqual([['to-stderr'], ['to-stderr'], ['to-stderr']])
    expectError(
      await server.json('GET', `${EXPERIMENTS}/logs/${tfId}?pod=nope`),
      404,
      'POD_NOT_FOUND',
      /has no replica nope/,
    )
    expectError(await server.json('GET', `${EXPERIMENTS}/logs/${tfId}?tailLines=-1`), 400, 'INVALID_QUERY', /tailLines/)
  }, 20_000)

  test('an unknown id is a 404 "Not found experiment."', async () => {
    expectError(
      await server.json('GET', `${EXPERIMENTS}/logs/experiment-1111111111111-0001`),
      404,
      'EXPERIMENT_NOT_FOUND',
      'Not found experiment.',
    )
  }, 20_000)
})

describe('GET /api/v1/experiment/logs', () => {
  test('lists every experiment with its replicas’ podName and an empty podLog', async () => {
    const all = (expectOk(await server.json('GET', EXPERIMENTS)) as any[]).map((e) => e.experimentId)
    const list = expectOk(await server.json('GET', `${EXPERIMENTS}/logs`)) as any[]
    expect(list.map((e) => e.experimentId)).toEqual(all)
    for (const item of list) {
      expect(Object.keys(item)).toEqual(['experimentId', 'logContent'])
      for (const pod of item.logContent) {
        expect(Object.keys(pod)).toEqual(['podName', 'podLog'])
        expect(pod.podLog).toEqual([])
      }
    }
    expect(list.find((e) => e.experimentId === tfId).logContent).toEqual(
      expectedTf.map((p) => ({ podName: p.podName, podLog: [] })),
    )
  }, 20_000)

  test('?status= filters the list in any case', async () => {
    const running = await create(server, singleBody('logs-running', 'sleep 30'))
    await waitForStatus(server, running.experimentId, ['Running'])
    const ids = async (q: string) =>
      (expectOk(await server.json('GET', `${EXPERIMENTS}/logs?status=${q}`)) as any[]).map((e) => e.experimentId)
    const statusOf = async (id: string) => (await server.json('GET', `${EXPERIMENTS}/${id}`)).body.result.status
    for (const q of ['running', 'RUNNING', 'Running']) expect(await ids(q)).toEqual([running.experimentId])
    const succeeded = await ids('sUcCeEdEd')
    expect(succeeded).toContain(tfId)
    for (const id of succeeded) expect(await statusOf(id)).toBe('Succeeded')
    expect(await ids('failed')).toEqual([])
    await server.json('DELETE', `${EXPERIMENTS}/${running.experimentId}`)
  }, 20_000)

  test('an unknown ?status= is a 400 naming the allowed statuses', async () => {
    const res = await server.json('GET', `${EXPERIMENTS}/logs?status=Paused`)
    expectError(res, 400, res.body.attributes.reason, /Paused.*Accepted, Created, Running, Succeeded, Failed/)
  }, 20_000)
})

describe('after a restart', () => {
  test('a new server on the same data dir returns the same lines', async () => {
    const before = await logsOf(tfId)
    const dataDir = server.dataDir
    await server.stop()
    server = await startTestServer({ dataDir })
    expect(await logsOf(tfId)).toEqual(before)
    expect(before.logContent).toEqual(expectedTf)
  }, 20_000)
})
