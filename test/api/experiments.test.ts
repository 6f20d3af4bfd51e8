/**
 * The experiment resource: its shape and key order, frameworks and task types,
 * resources, stored environments, list/filter/paging, patch and delete.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { startTestServer, type TestServer } from '../helpers/test-server.ts'
import {
  alive,
  create,
  ENVIRONMENT_SPEC_KEYS,
  ENVIRONMENTS,
  EXPERIMENT_KEYS,
  EXPERIMENTS,
  expectError,
  expectOk,
  getExperiment,
  jobFile,
  META_KEYS,
  poll,
  pytorchBody,
  replicaPid,
  SPEC_KEYS,
  shutdown,
  singleBody,
  storedState,
  TASK_KEYS,
  tfBody,
  UTC_MILLIS,
  UUID,
  waitForLogs,
  waitForStatus,
  withValue,
} from './fixtures.ts'

let server: TestServer

beforeAll(async () => {
  server = await startTestServer()
})
afterAll(() => shutdown(server))

/** Asserts the full key order of an experiment object (periscope's additions after `spec`). */
function expectExperimentShape(e: any): void {
  expect(Object.keys(e).slice(0, EXPERIMENT_KEYS.length)).toEqual(EXPERIMENT_KEYS)
  expect(Object.keys(e).slice(EXPERIMENT_KEYS.length)).toEqual(['statusMessage'])
  expect(Object.keys(e.spec)).toEqual(SPEC_KEYS)
  expect(Object.keys(e.spec.meta)).toEqual(META_KEYS)
  expect(Object.keys(e.spec.environment)).toEqual(ENVIRONMENT_SPEC_KEYS)
  for (const task of Object.values<any>(e.spec.spec)) expect(Object.keys(task)).toEqual(TASK_KEYS)
}

describe('create', () => {
  test('answers Accepted with the current document’s keys, in its order, unset fields null', async () => {
    const res = await server.json('POST', EXPERIMENTS, tfBody('Shape-Test'))
    const e = expectOk(res)
    expectExperimentShape(e)
    expect(e.status).toBe('Accepted')
    expect(e.uid).toMatch(UUID)
    expect(e.acceptedTime).toMatch(UTC_MILLIS)
    expect([e.createdTime, e.runningTime, e.finishedTime]).toEqual([null, null, null])
    expect(e.spec.meta).toEqual({
      experimentId: e.experimentId,
      name: 'shape-test',
      namespace: 'default',
      framework: 'TensorFlow',
      cmd: 'echo hi',
      envVars: { ENV_1: 'ENV1' },
      tags: [],
    })
    expect(e.spec.environment).toEqual({
      name: null,
      dockerImage: null,
      kernelSpec: null,
      description: null,
      image: 'busybox:1',
    })
    expect(e.spec.spec.Ps).toEqual({
      replicas: 1,
      resources: 'cpu=1,memory=64M',
      name: null,
      image: null,
      cmd: null,
      envVars: null,
      resourceMap: { memory: '64M', cpu: '1' },
    })
    expect(e.spec.code).toBeNull()
  }, 20_000)

  test('GET returns the same id, uid and acceptedTime, in the same shape', async () => {
    const made = await create(server, tfBody('get-me'))
    const got = expectOk(await server.json('GET', `${EXPERIMENTS}/${made.experimentId}`))
    expectExperimentShape(got)
    expect([got.experimentId, got.uid, got.acceptedTime]).toEqual([made.experimentId, made.uid, made.acceptedTime])
    expect(got.spec).toEqual(made.spec)
  }, 20_000)

  test('frameworks match in any case and are echoed as sent', async () => {
    const bodies = [
      withValue(tfBody(), 'meta.framework', 'tensorflow'),
      withValue(tfBody(), 'meta.framework', 'TENSORFLOW'),
      withValue(tfBody(), 'meta.framework', 'Tensorflow'),
      withValue(pytorchBody(), 'meta.framework', 'pytorch'),
      withValue(pytorchBody(), 'meta.framework', 'PyTorch'),
      withValue(pytorchBody(), 'meta.framework', 'xgboost'),
      withValue(pytorchBody(), 'meta.framework', 'XGBoost'),
    ]
    for (const body of bodies) expect((await create(server, body)).spec.meta.framework).toBe(body.meta.framework)
  }, 20_000)

  test('task types are accepted in any case and stored in canonical case', async () => {
    const tf = await create(
      server,
      tfBody('tf-case', {
        ps: { replicas: 1 },
        WORKER: { replicas: 1 },
        chief: { replicas: 1 },
        evaluator: { replicas: 1 },
      }),
    )
    expect(Object.keys(tf.spec.spec)).toEqual(['Ps', 'Worker', 'Chief', 'Evaluator'])
    const tfMaster = await create(server, tfBody('tf-master', { mAsTeR: { replicas: 1 }, worker: { replicas: 1 } }))
    expect(Object.keys(tfMaster.spec.spec)).toEqual(['Master', 'Worker'])
    const pt = await create(server, {
      ...pytorchBody('pt-case'),
      spec: { master: { replicas: 1 }, WORKER: { replicas: 2 } },
    })
    expect(Object.keys(pt.spec.spec)).toEqual(['Master', 'Worker'])
    const xgb = await create(server, {
      ...pytorchBody('xgb-case'),
      meta: { ...pytorchBody().meta, framework: 'XGBoost' },
      spec: { MASTER: { replicas: 1 }, Worker: { replicas: 1 } },
    })
    expect(Object.keys(xgb.spec.spec)).toEqual(['Master', 'Worker'])
  }, 20_000)

  test('resources give a resourceMap in the order memory, cpu, nvidia.com/gpu, gpu', async () => {
    const e = await create(
      server,
      tfBody('res', {
        Worker: { replicas: 1, resources: 'nvidia.com/gpu=1,cpu=2,memory=1024M' },
        Ps: { replicas: 1, resources: 'gpu=1,cpu=500m' },
      }),
    )
    expect(e.spec.spec.Worker.resources).toBe('nvidia.com/gpu=1,cpu=2,memory=1024M')
    expect(Object.entries(e.spec.spec.Worker.resourceMap)).toEqual([
      ['memory', '1024M'],
      ['cpu', '2'],
      ['nvidia.com/gpu', '1'],
    ])
    expect(Object.entries(e.spec.spec.Ps.resourceMap)).toEqual([
      ['cpu', '500m'],
      ['gpu', '1'],
    ])
    const all = await create(
      server,
      tfBody('res-all', { Worker: { replicas: 1, resources: 'gpu=2,nvidia.com/gpu=1,cpu=1,memory=2G' } }),
    )
    expect(Object.keys(all.spec.spec.Worker.resourceMap)).toEqual(['memory', 'cpu', 'nvidia.com/gpu', 'gpu'])
  }, 20_000)

  test('memory takes k, M, G, Ki, Mi and Gi (plain K is no Kubernetes suffix)', async () => {
    for (const memory of ['512k', '1024M', '2G', '512Ki', '1024Mi', '1Gi']) {
      const e = await create(
        server,
        tfBody(`mem-${memory.toLowerCase()}`, { Worker: { replicas: 1, resources: `cpu=1,memory=${memory}` } }),
      )
      expect(e.spec.spec.Worker.resourceMap).toEqual({ memory, cpu: '1' })
    }
  }, 20_000)

  test('a YAML body creates the same experiment as its JSON twin', async () => {
    const yaml = [
      'meta:',
      '  name: yaml-twin',
      '  framework: TensorFlow',
      '  cmd: echo hi',
      '  envVars:',
      '    ENV_1: ENV1',
      'environment:',
      '  image: busybox:1',
      'spec:',
      '  Ps:',
      '    replicas: 1',
      '    resources: cpu=1,memory=64M',
      '  Worker:',
      '    replicas: 1',
      '    resources: cpu=1,memory=64M',
      '',
    ].join('\n')
    const res = await server.request(EXPERIMENTS, {
      method: 'POST',
      headers: { 'content-type': 'application/yaml' },
      body: yaml,
    })
    const fromYaml = expectOk({ http: res.status, body: await res.json() })
    const fromJson = await create(server, tfBody('yaml-twin'))
    expect({ ...fromYaml.spec, meta: { ...fromYaml.spec.meta, experimentId: null } }).toEqual({
      ...fromJson.spec,
      meta: { ...fromJson.spec.meta, experimentId: null },
    })
  }, 20_000)
})

describe('stored environments', () => {
  test('an experiment naming a stored environment runs with the environment’s dockerImage', async () => {
    expectOk(await server.json('POST', ENVIRONMENTS, { name: 'env-with-image', dockerImage: 'registry/env:7' }))
    const e = await create(server, {
      ...singleBody('env-user', 'echo from-env'),
      environment: { name: 'env-with-image' },
    })
    expect(e.spec.environment).toEqual({
      name: 'env-with-image',
      dockerImage: null,
      kernelSpec: null,
      description: null,
      image: null,
    })
    const job = jobFile(server, e.experimentId).job as any
    expect(job.replicaSpecs.map((r: any) => r.image)).toEqual(['registry/env:7'])
    expect((await waitForStatus(server, e.experimentId, ['Succeeded', 'Failed'])).result.status).toBe('Succeeded')
  }, 20_000)

  test('a stored environment without a dockerImage and no image anywhere is a 400 naming image', async () => {
    expectOk(await server.json('POST', ENVIRONMENTS, { name: 'env-no-image', description: 'conda only' }))
    const before = await storedState(server)
    const res = await server.json('POST', EXPERIMENTS, {
      ...singleBody('no-image', 'true'),
      environment: { name: 'env-no-image' },
    })
    expectError(res, 400, 'INVALID_SPEC', /image/)
    expect(await storedState(server)).toEqual(before)
  }, 20_000)
})

describe('list', () => {
  test('lists every experiment in creation order', async () => {
    const made = [
      await create(server, singleBody('order-a', 'true')),
      await create(server, singleBody('order-b', 'true')),
    ]
    const list = expectOk(await server.json('GET', EXPERIMENTS)) as any[]
    const ids = list.map((e) => e.experimentId)
    expect(ids.slice(-2)).toEqual(made.map((e) => e.experimentId))
    const counters = ids.map((id) => Number(id.split('-')[2]))
    expect(counters).toEqual([...counters].sort((a, b) => a - b))
    for (const e of list) expectExperimentShape(e)
  }, 20_000)

  test('?status= filters in any case', async () => {
    const done = await create(server, singleBody('filter-done', 'true'))
    const running = await create(server, singleBody('filter-running', 'sleep 30'))
    await waitForStatus(server, done.experimentId, ['Succeeded'])
    await waitForStatus(server, running.experimentId, ['Running'])
    for (const [query, status, id] of [
      ['succeeded', 'Succeeded', done.experimentId],
      ['RUNNING', 'Running', running.experimentId],
    ] as const) {
      const list = expectOk(await server.json('GET', `${EXPERIMENTS}?status=${query}`)) as any[]
      expect(list.map((e) => e.experimentId)).toContain(id)
      expect(new Set(list.map((e) => e.status))).toEqual(new Set([status]))
    }
    await server.json('DELETE', `${EXPERIMENTS}/${running.experimentId}`)
  }, 20_000)

  test('limit and offset page through the list', async () => {
    const all = (expectOk(await server.json('GET', EXPERIMENTS)) as any[]).map((e) => e.experimentId)
    expect(all.length).toBeGreaterThan(4)
    const page = (expectOk(await server.json('GET', `${EXPERIMENTS}?limit=2&offset=1`)) as any[]).map(
      (e) => e.experimentId,
    )
    expect(page).toEqual(all.slice(1, 3))
    expect(
      (expectOk(await server.json('GET', `${EXPERIMENTS}?offset=${all.length - 1}`)) as any[]).map(
        (e) => e.experimentId,
      ),
    ).toEqual(all.slice(-1))
  }, 20_000)

  test('after=<experimentId> continues the list after that experiment; an unknown one is a 400', async () => {
    const all = (expectOk(await server.json('GET', EXPERIMENTS)) as any[]).map((e) => e.experimentId)
    const next = (expectOk(await server.json('GET', `${EXPERIMENTS}?after=${all[1]}&limit=2`)) as any[]).map(
      (e) => e.experimentId,
    )
    expect(next).toEqual(all.slice(2, 4))
    expect(expectOk(await server.json('GET', `${EXPERIMENTS}?after=${all.at(-1)}`))).toEqual([])
    expectError(
      await server.json('GET', `${EXPERIMENTS}?after=experiment-1-0001`),
      400,
      'INVALID_QUERY',
      /after="experiment-1-0001"/,
    )
  }, 20_000)
})

describe('patch', () => {
  test('replaces the whole spec and keeps id, uid, status and the times', async () => {
    const made = await create(server, {
      ...tfBody('patch-me', undefined, 'sleep 30'),
      meta: { ...tfBody().meta, name: 'patch-me', tags: ['keep?'], cmd: 'sleep 30' },
    })
    const before = (await waitForStatus(server, made.experimentId, ['Running'])).result
    const replacement = {
      meta: { name: 'patched', framework: 'TensorFlow', cmd: 'echo new' },
      environment: { image: 'other:2' },
      spec: { Worker: { replicas: 2, resources: 'memory=1Gi' } },
    }
    const patched = expectOk(await server.json('PATCH', `${EXPERIMENTS}/${made.experimentId}`, replacement))
    expectExperimentShape(patched)
    const kept = ['experimentId', 'uid', 'status', 'acceptedTime', 'createdTime', 'runningTime', 'finishedTime']
    for (const key of kept) expect(patched[key]).toEqual(before[key])
    expect(patched.spec.meta).toEqual({
      experimentId: made.experimentId,
      name: 'patched',
      namespace: 'default',
      framework: 'TensorFlow',
      cmd: 'echo new',
      envVars: {},
      tags: [],
    })
    expect(patched.spec.environment.image).toBe('other:2')
    expect(Object.keys(patched.spec.spec)).toEqual(['Worker'])
    expect(patched.spec.spec.Worker.resourceMap).toEqual({ memory: '1Gi' })
    expect((await getExperiment(server, made.experimentId)).spec).toEqual(patched.spec)
  }, 20_000)

  test('is allowed while the job runs', async () => {
    const made = await create(server, singleBody('patch-running', 'sleep 30'))
    await waitForStatus(server, made.experimentId, ['Running'])
    const patched = expectOk(
      await server.json('PATCH', `${EXPERIMENTS}/${made.experimentId}`, singleBody('patch-running', 'sleep 31')),
    )
    expect(patched.status).toBe('Running')
    expect(patched.spec.meta.cmd).toBe('sleep 31')
    await server.json('DELETE', `${EXPERIMENTS}/${made.experimentId}`)
  }, 20_000)
})

describe('delete', () => {
  test('stops the job and answers with the stored spec, status Deleted and the four times null', async () => {
    const made = await create(server, singleBody('delete-me', 'echo started; sleep 30'))
    const running = (await waitForStatus(server, made.experimentId, ['Running'])).result
    await waitForLogs(server, made.experimentId)
    const pod = `${made.experimentId}-worker-0`
    const pid = replicaPid(server, made.experimentId, pod)
    expect(pid).not.toBeNull()
    expect(alive(pid!)).toBe(true)
    const deleted = expectOk(await server.json('DELETE', `${EXPERIMENTS}/${made.experimentId}`))
    expect(Object.keys(deleted).slice(0, EXPERIMENT_KEYS.length)).toEqual(EXPERIMENT_KEYS)
    expect(deleted).toMatchObject({
      experimentId: made.experimentId,
      uid: made.uid,
      status: 'Deleted',
      acceptedTime: null,
      createdTime: null,
      runningTime: null,
      finishedTime: null,
    })
    expect(deleted.spec).toEqual(running.spec)
    expect(alive(pid!)).toBe(false)
  }, 20_000)

  test('DELETE right after create stops the replica too: no process outlives the answer', async () => {
    const survivors: number[] = []
    for (let i = 0; i < 60; i++) {
      const made = await create(server, singleBody(`quick-delete-${i}`, 'sleep 30'))
      // The create answers before the replica is spawned (launches are queued); delete as soon as it is.
      const pid = await poll(
        async () => replicaPid(server, made.experimentId, `${made.experimentId}-worker-0`),
        (p) => p !== null,
        5000,
        1,
      )
      expect(pid).not.toBeNull()
      expectOk(await server.json('DELETE', `${EXPERIMENTS}/${made.experimentId}`))
      if (alive(pid!)) survivors.push(pid!)
    }
    for (const pid of survivors) {
      try {
        process.kill(-pid, 'SIGKILL')
      } catch {
        // already gone
      }
    }
    expect(survivors).toEqual([])
  }, 20_000)

  test('a deleted experiment is gone: GET and its logs are 404 and the list no longer has it', async () => {
    const made = await create(server, singleBody('gone', 'echo bye'))
    await waitForStatus(server, made.experimentId, ['Succeeded'])
    expectOk(await server.json('DELETE', `${EXPERIMENTS}/${made.experimentId}`))
    expectError(
      await server.json('GET', `${EXPERIMENTS}/${made.experimentId}`),
      404,
      'EXPERIMENT_NOT_FOUND',
      'Not found experiment.',
    )
    expectError(
      await server.json('GET', `${EXPERIMENTS}/logs/${made.experimentId}`),
      404,
      'EXPERIMENT_NOT_FOUND',
      'Not found experiment.',
    )
    expectError(
      await server.json('DELETE', `${EXPERIMENTS}/${made.experimentId}`),
      404,
      'EXPERIMENT_NOT_FOUND',
      'Not found experiment.',
    )
    const ids = (expectOk(await server.json('GET', EXPERIMENTS)) as any[]).map((e) => e.experimentId)
    expect(ids).not.toContain(made.experimentId)
    const logIds = (expectOk(await server.json('GET', `${EXPERIMENTS}/logs`)) as any[]).map((e) => e.experimentId)
    expect(logIds).not.toContain(made.experimentId)
  }, 20_000)
})
