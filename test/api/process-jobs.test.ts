/**
 * Jobs run by the process runtime, seen through the API: the status lifecycle,
 * the backoff limit, the operator's environment (TF_CONFIG, RANK/WORLD_SIZE)
 * and a replica-count PATCH applied to a running job.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { startTestServer, type TestServer } from '../helpers/test-server.ts'
import {
  create,
  EXPERIMENTS,
  expectError,
  expectOk,
  getExperiment,
  jobFile,
  monotonic,
  poll,
  pytorchBody,
  shutdown,
  singleBody,
  tfBody,
  UTC_MILLIS,
  waitForLogs,
  waitForStatus,
} from './fixtures.ts'

let server: TestServer

beforeAll(async () => {
  server = await startTestServer({ restartBackoffMs: 50 })
})
afterAll(() => shutdown(server))

const ms = (t: string) => Date.parse(t)

describe('status lifecycle', () => {
  test('`echo hi` ends Succeeded with accepted ≤ created ≤ running ≤ finished, never moving back', async () => {
    const made = await create(server, singleBody('lifecycle-ok', 'echo hi'))
    const { seen, result } = await waitForStatus(server, made.experimentId, ['Succeeded', 'Failed'])
    expect(result.status).toBe('Succeeded')
    expect(monotonic(seen)).toBe(true)
    for (const key of ['acceptedTime', 'createdTime', 'runningTime', 'finishedTime'])
      expect(result[key]).toMatch(UTC_MILLIS)
    expect(ms(result.acceptedTime)).toBeLessThanOrEqual(ms(result.createdTime))
    expect(ms(result.createdTime)).toBeLessThanOrEqual(ms(result.runningTime))
    expect(ms(result.runningTime)).toBeLessThanOrEqual(ms(result.finishedTime))
    expect(result.acceptedTime).toBe(made.acceptedTime)
    expect(result.statusMessage).toBeNull()
    const later = await Promise.all([1, 2, 3].map(() => server.json('GET', `${EXPERIMENTS}/${made.experimentId}`)))
    for (const r of later) expect(expectOk(r)).toEqual(result)
  }, 20_000)

  test('a job that always exits 1 ends Failed, statusMessage naming the backoff limit, never moving back', async () => {
    const made = await create(server, {
      ...pytorchBody('lifecycle-fail', 'echo boom; exit 1'),
      spec: { Master: { replicas: 1 } },
    })
    const pod = `${made.experimentId}-master-0`
    const looping = await poll(
      () => server.json('GET', `${EXPERIMENTS}/${made.experimentId}`).then((r) => r.body.result),
      (r) => r.status === 'Failed' || r.statusMessage?.startsWith(`${pod}: CrashLoopBackOff`),
      15_000,
      5,
    )
    expect(looping.statusMessage).toMatch(
      new RegExp(`^${pod}: CrashLoopBackOff: exited with code 1; [0-2] of 3 restarts used, next attempt at `),
    )
    const { seen, result } = await waitForStatus(server, made.experimentId, ['Failed', 'Succeeded'], 15_000)
    expect(result.status).toBe('Failed')
    expect(monotonic(seen)).toBe(true)
    expect(result.statusMessage).toBe(`Failed: ${pod} exited with code 1 after 3 of 3 restarts (backoffLimit reached)`)
    expect(result.finishedTime).toMatch(UTC_MILLIS)
    expect(ms(result.runningTime)).toBeLessThanOrEqual(ms(result.finishedTime))
    const [master] = await waitForLogs(server, made.experimentId)
    expect(master.podLog.length).toBeGreaterThanOrEqual(1)
    expect(new Set(master.podLog)).toEqual(new Set(['boom']))
    // A window in which nothing may happen: the status stays Failed.
    await Bun.sleep(200)
    expect((await server.json('GET', `${EXPERIMENTS}/${made.experimentId}`)).body.result.status).toBe('Failed')
    const lines = server.logged.filter((l) => l.startsWith(`experiment ${made.experimentId}: `))
    expect(lines.at(-1)).toBe(`experiment ${made.experimentId}: Running → Failed (${result.statusMessage})`)
  }, 20_000)

  test('a failed experiment cannot be patched (409 naming its status); its spec and times stay', async () => {
    const made = await create(server, { ...pytorchBody('patch-failed', 'exit 3'), spec: { Master: { replicas: 1 } } })
    const failed = (await waitForStatus(server, made.experimentId, ['Failed', 'Succeeded'], 15_000)).result
    expect(failed.status).toBe('Failed')
    const res = await server.json('PATCH', `${EXPERIMENTS}/${made.experimentId}`, {
      ...pytorchBody('patch-failed', 'exit 0'),
      spec: { Master: { replicas: 1 } },
    })
    expectError(
      res,
      409,
      'EXPERIMENT_FINISHED',
      new RegExp(`^Experiment ${made.experimentId} has finished: it is Failed;`),
    )
    const after = await getExperiment(server, made.experimentId)
    for (const key of ['experimentId', 'uid', 'status', 'acceptedTime', 'createdTime', 'runningTime', 'finishedTime'])
      expect(after[key]).toEqual(failed[key])
    expect(after.spec).toEqual(failed.spec)
  }, 20_000)
})

describe('the operator environment', () => {
  test('TF Ps:1, Worker:2 gives each replica the exact TF_CONFIG, with the ports recorded in job.json', async () => {
    const made = await create(
      server,
      tfBody(
        'tf-config',
        {
          Ps: { replicas: 1, cmd: 'echo "$TF_CONFIG"; sleep 30' },
          Worker: { replicas: 2, cmd: 'echo "$TF_CONFIG"; sleep 1' },
        },
        '',
      ),
    )
    const id = made.experimentId
    const { ports } = jobFile(server, id)
    const addr = (pod: string) => {
      expect(ports[pod]).toBeGreaterThan(0)
      return `127.0.0.1:${ports[pod]}`
    }
    const cluster =
      `{"ps":["${addr(`${id}-ps-0`)}"],` + `"worker":["${addr(`${id}-worker-0`)}","${addr(`${id}-worker-1`)}"]}`
    const tfConfig = (type: string, index: number) =>
      `{"cluster":${cluster},"task":{"type":"${type}","index":${index}},"environment":"cloud"}`
    const logs = await waitForLogs(server, id)
    expect(logs).toEqual([
      { podName: `${id}-ps-0`, podLog: [tfConfig('ps', 0)] },
      { podName: `${id}-worker-0`, podLog: [tfConfig('worker', 0)] },
      { podName: `${id}-worker-1`, podLog: [tfConfig('worker', 1)] },
    ])
    expect((await waitForStatus(server, id, ['Succeeded', 'Failed'])).result.status).toBe('Succeeded')
  }, 20_000)

  test('PyTorch Master:1, Worker:2: ranks 0/3 to 2/3, MASTER_ADDR=127.0.0.1 and the recorded master port', async () => {
    // The master outlives the workers: once it succeeds the job is done and running workers are stopped.
    const print = 'echo "$RANK/$WORLD_SIZE"; echo "MASTER_ADDR=$MASTER_ADDR"; echo "MASTER_PORT=$MASTER_PORT"'
    const body = pytorchBody('pt-rank', print, 2)
    body.spec.Master.cmd = `${print}; sleep 1`
    const id = (await create(server, body)).experimentId
    const port = jobFile(server, id).ports[`${id}-master-0`]
    expect(port).toBeGreaterThan(0)
    const lines = (rank: number) => [`${rank}/3`, 'MASTER_ADDR=127.0.0.1', `MASTER_PORT=${port}`]
    expect(await waitForLogs(server, id, 3)).toEqual([
      { podName: `${id}-master-0`, podLog: lines(0) },
      { podName: `${id}-worker-0`, podLog: lines(1) },
      { podName: `${id}-worker-1`, podLog: lines(2) },
    ])
    expect((await waitForStatus(server, id, ['Succeeded', 'Failed'])).result.status).toBe('Succeeded')
  }, 20_000)

  test('meta.envVars reach every replica; a task’s envVars replace them for that task', async () => {
    const print = 'echo "ENV_1=$ENV_1 ONLY=$ONLY"'
    const body = tfBody(
      'env-vars',
      { Ps: { replicas: 1, envVars: { ONLY: 'task' } }, Worker: { replicas: 1, cmd: `${print}; sleep 1` } },
      print,
    )
    const id = (await create(server, body)).experimentId
    const logs = await waitForLogs(server, id)
    expect(logs.map((p) => p.podLog)).toEqual([['ENV_1= ONLY=task'], ['ENV_1=ENV1 ONLY=']])
  }, 20_000)
})

describe('the pod’s hostname', () => {
  test('every replica sees HOSTNAME set to its pod name, as in a pod or a container', async () => {
    const body = pytorchBody('hostname', 'echo "$HOSTNAME"', 2)
    body.spec.Master.cmd = 'echo "$HOSTNAME"; sleep 1' // the job ends with its master
    const id = (await create(server, body)).experimentId
    expect(await waitForLogs(server, id)).toEqual(
      [`${id}-master-0`, `${id}-worker-0`, `${id}-worker-1`].map((pod) => ({ podName: pod, podLog: [pod] })),
    )
  }, 20_000)
})

describe('PATCH on a running job', () => {
  test('raising Worker replicas from 1 to 2 starts worker-1, whose pod appears in the logs with output', async () => {
    const body = (workers: number) =>
      tfBody('scale-up', { Worker: { replicas: workers } }, 'echo "started $TF_CONFIG" | cut -c1-7; sleep 30')
    const id = (await create(server, body(1))).experimentId
    await waitForStatus(server, id, ['Running'])
    await waitForLogs(server, id)
    const patched = expectOk(await server.json('PATCH', `${EXPERIMENTS}/${id}`, body(2)))
    expect(patched.spec.spec.Worker.replicas).toBe(2)
    const logs = await poll(
      async () => (await server.json('GET', `${EXPERIMENTS}/logs/${id}`)).body.result.logContent as any[],
      (pods) => pods.length === 2 && pods[1].podLog.length > 0,
    )
    expect(logs).toEqual([
      { podName: `${id}-worker-0`, podLog: ['started'] },
      { podName: `${id}-worker-1`, podLog: ['started'] },
    ])
    expect((await server.json('GET', `${EXPERIMENTS}/${id}`)).body.result.status).toBe('Running')
    expectOk(await server.json('DELETE', `${EXPERIMENTS}/${id}`))
  }, 20_000)
})
